"""Matrix rooms side by side across sync batches (adapters/matrix/lanes.py): a room's events in order, other rooms
not waiting for it, and a sync token kept only once every batch up to it was handled — so that a crash syncs
again from a point before anything not yet handled, and nothing is lost."""

import asyncio

from adapters.matrix.lanes import RoomLanes


class Rooms:
    """Rooms whose events are handled when the test lets them: ``handled`` in the order they were."""

    def __init__(self) -> None:
        self.doors: dict[str, asyncio.Event] = {}
        self.handled: list[str] = []
        self.kept: list[str] = []
        self._changed = asyncio.Condition()

    async def handle(self, room_id: str, events: list) -> None:
        for waiting_for in (room_id, *events):  # a door for a room, or for one event
            if waiting_for in self.doors:
                await self.doors[waiting_for].wait()
        async with self._changed:
            self.handled.extend(events)
            self._changed.notify_all()

    async def have_handled(self, count: int) -> None:
        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(lambda: len(self.handled) >= count), 5)

    async def keep(self, token: str) -> None:
        self.kept.append(token)


async def test_a_sync_token_is_kept_once_every_batch_up_to_it_was_handled():
    rooms = Rooms()
    lanes = RoomLanes(rooms.handle, rooms.keep)
    rooms.doors["!busy"] = asyncio.Event()
    await lanes.add("t1", {"!busy": ["b1", "b2"], "!quiet": ["q1"]})
    await lanes.add("t2", {"!quiet": ["q2"]})
    await lanes.add("t3", {"!busy": ["b3"], "!other": ["o1"]})
    await rooms.have_handled(3)  # the quiet rooms go ahead
    assert sorted(rooms.handled) == ["o1", "q1", "q2"] and rooms.handled.index("q1") < rooms.handled.index("q2")
    assert rooms.kept == []  # t1 waits for the busy room, and t2 and t3 for t1

    rooms.doors["!busy"].set()
    await lanes.idle()
    assert rooms.handled[3:] == ["b1", "b2", "b3"]  # the busy room in its own order
    assert rooms.kept[-1] == "t3"


async def test_a_batch_with_no_events_keeps_its_token_at_once_when_nothing_before_it_waits():
    rooms = Rooms()
    lanes = RoomLanes(rooms.handle, rooms.keep)
    await lanes.add("t1", {})
    assert rooms.kept == ["t1"]


async def test_an_upgrade_waits_for_its_own_room_alone_and_the_replacement_room_waits_for_the_move():
    rooms = Rooms()
    lanes = RoomLanes(rooms.handle, rooms.keep)
    rooms.doors["!busy"], rooms.doors["!old"] = asyncio.Event(), asyncio.Event()
    await lanes.add("t1", {"!busy": ["b1"], "!old": ["o1"]})
    # The new room's first message comes in the batch of the tombstone (listed first), and another in the next.
    await lanes.add("t2", {"!new": ["n1"], "!old": ["o2", "tombstone"]}, upgrades={"!old": "!new"})
    await lanes.add("t3", {"!new": ["n2"], "!quiet": ["q1"]})
    await rooms.have_handled(1)
    assert rooms.handled == ["q1"]  # the new room waits for the old room's tombstone

    rooms.doors["!old"].set()
    await rooms.have_handled(6)
    assert rooms.handled == ["q1", "o1", "o2", "tombstone", "n1", "n2"]  # while the busy room is still at its door
    assert rooms.kept == []  # t1 waits for the busy room

    rooms.doors["!busy"].set()
    await lanes.idle()
    assert rooms.handled[-1] == "b1" and rooms.kept[-1] == "t3"
    await lanes.add("t4", {"!new": ["n3"]})  # the move handled: the new room has a lane of its own
    await lanes.idle()
    assert rooms.handled[-1] == "n3" and rooms.kept[-1] == "t4"


async def test_an_upgrade_of_an_upgrade_in_one_batch_is_handled_in_the_order_of_the_upgrades():
    rooms = Rooms()
    lanes = RoomLanes(rooms.handle, rooms.keep)
    await lanes.add(
        "t1", {"!b": ["b-tombstone"], "!c": ["c1"], "!a": ["a-tombstone"]}, upgrades={"!a": "!b", "!b": "!c"}
    )
    await lanes.idle()
    assert rooms.handled == ["a-tombstone", "b-tombstone", "c1"]


async def test_a_replacement_room_already_in_a_lane_of_its_own_keeps_its_order():
    rooms = Rooms()
    lanes = RoomLanes(rooms.handle, rooms.keep)
    rooms.doors["n0"] = asyncio.Event()
    await lanes.add("t1", {"!new": ["n0"]})  # something in the new room came before the tombstone
    await lanes.add("t2", {"!old": ["tombstone"], "!new": ["n1"]}, upgrades={"!old": "!new"})
    await lanes.add("t3", {"!quiet": ["q1"]})
    await rooms.have_handled(2)
    assert rooms.handled == ["tombstone", "q1"]
    rooms.doors["n0"].set()
    await lanes.idle()
    assert rooms.handled == ["tombstone", "q1", "n0", "n1"]  # never n1 before n0
