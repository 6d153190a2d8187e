"""The edges: chat-platform adapters, the console, configuration and the
command line that wires storage, core and adapters together."""
