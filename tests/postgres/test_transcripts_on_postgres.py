"""The core's transcripts, run again with PostgreSQL underneath (the
``db_url`` fixture of this folder's conftest): the same member-visible
behaviour on the scale-out store as on SQLite."""

from tests.test_close_rules import *  # noqa: F403
from tests.test_due_work import *  # noqa: F403
from tests.test_money_integrity import *  # noqa: F403
from tests.test_needs import *  # noqa: F403
from tests.test_private_need_privacy import *  # noqa: F403
from tests.test_private_needs import *  # noqa: F403
from tests.test_proposals import *  # noqa: F403
from tests.test_record import *  # noqa: F403
from tests.test_reliability import (  # noqa: F401
    test_a_hundred_deadlines_windows_and_handovers_missed_while_down_each_happen_once_late,
    test_fifty_racing_responses_and_two_racing_closes_give_one_outcome_counting_every_confirmed_response,
)
from tests.test_rotation import *  # noqa: F403
from tests.test_settings_and_joining import *  # noqa: F403
from tests.test_storage import (  # noqa: F401
    test_the_same_message_delivered_twice_is_applied_once,
    test_the_same_ref_in_another_chat_is_another_message,
)
from tests.test_strict_parsing import (  # noqa: F401
    test_superscript_and_other_non_ascii_digits_get_a_clear_refusal,
)
