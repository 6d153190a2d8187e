"""A real Synapse homeserver on 127.0.0.1 for the test suite, and matrix-nio clients that act as test users.

`synapse.py` installs Synapse into a virtual environment of its own, writes a test config and runs the server;
`users.py` registers users and drives them through nio; `conftest.py` holds the fixtures.
"""
