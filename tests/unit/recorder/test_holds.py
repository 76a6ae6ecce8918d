"""HoldBook's bookkeeping: holds by id, concurrency (pure: the store is an in-memory stand-in)."""
import threading
import time

import pytest

from roadcam.v1 import commands_pb2
from services.recorder import messages
from services.recorder.chain import SegmentName, segment_key
from services.recorder.holds import Hold, HoldBook, hold_key


class ListingPausesStore:
    """Dict store whose `_holds/` listing waits until released, to open the race window."""

    def __init__(self) -> None:
        self.objects: dict[str, dict] = {}
        self.listing, self.go_on = threading.Event(), threading.Event()

    def names(self, prefix: str) -> list[str]:
        names = [k for k in self.objects if k.startswith(prefix)]
        self.listing.set()
        self.go_on.wait(5)
        return names

    def get_json(self, name: str) -> dict | None:
        return self.objects.get(name)

    def put_json(self, name: str, doc: dict) -> None:
        self.objects[name] = doc

    def segments(self, camera_id: str, prefix: str) -> list:
        return []


class NoKeys:
    def pin_day(self, camera_id: str, day, pinned: bool) -> None:
        pass


def test_a_hold_placed_during_a_reload_is_kept():
    # The recorder reloads holds on every partition assignment; a hold command handled meanwhile
    # must survive it (CI once stored a held segment without its legal hold).
    store = ListingPausesStore()
    book = HoldBook(store, NoKeys())
    hold = Hold(command_id="cmd-1", camera_id="cam-a", range_start_us=0, range_end_us=1_000_000)
    reload = threading.Thread(target=book.load)
    reload.start()
    assert store.listing.wait(5)  # the reload has listed the store (no holds yet) ...
    place = threading.Thread(target=book.place, args=(hold,))
    place.start()
    time.sleep(0.2)  # ... the hold command arrives before the reload finishes
    store.go_on.set()
    reload.join()
    place.join()
    assert book.held("cam-a", 0, 500_000)


class SegmentStore:
    """In-memory segments and hold records: what HoldBook reads and sets, and nothing else."""

    def __init__(self, camera_id: str, spans: list[tuple[int, int]]) -> None:
        self.segs = [SegmentName(camera_id=camera_id, start_us=s, end_us=e, key=segment_key(camera_id, s, e))
                     for s, e in spans]
        self.held: dict[str, bool] = {}
        self.objects: dict[str, dict] = {}
        self.fail_set_hold = False

    def names(self, prefix: str) -> list[str]:
        return [k for k in self.objects if k.startswith(prefix)]

    def get_json(self, name: str) -> dict | None:
        return self.objects.get(name)

    def put_json(self, name: str, doc: dict) -> None:
        self.objects[name] = doc

    def delete_all_versions(self, key: str) -> int:
        return 1 if self.objects.pop(key, None) is not None else 0

    def segments(self, camera_id: str, prefix: str) -> list[SegmentName]:
        return [s for s in self.segs if s.camera_id == camera_id and s.key.startswith(prefix)]

    def set_hold(self, key: str, on: bool) -> None:
        if self.fail_set_hold:
            raise ConnectionError("S3 away")
        self.held[key] = on

    def held_indexes(self) -> list[int]:
        return [i for i, s in enumerate(self.segs) if self.held.get(s.key)]


T0 = 1_790_000_000_000_000
SEC = 1_000_000
FIVE = [(T0 + i * 10 * SEC, T0 + (i + 1) * 10 * SEC) for i in range(5)]


def hold(command_id: str, start: int, end: int, camera_id: str = "cam-a") -> Hold:
    return Hold(command_id=command_id, camera_id=camera_id, range_start_us=FIVE[start][0], range_end_us=FIVE[end][1])


def book_with(*holds: Hold) -> tuple[HoldBook, SegmentStore]:
    store = SegmentStore("cam-a", FIVE)
    book = HoldBook(store, NoKeys())
    for h in holds:
        book.place(h)
    return book, store


def test_releasing_one_of_two_holds_on_the_same_range_keeps_the_other():
    # Two requests over the same camera and range: ending one must leave the other's footage held.
    book, store = book_with(hold("request-1-cam-a", 1, 3), hold("request-2-cam-a", 1, 3))
    assert store.held_indexes() == [1, 2, 3]
    released = book.release("cam-a", "request-1-cam-a")
    assert released is not None and released.command_id == "request-1-cam-a"
    assert [h.command_id for h in book.active("cam-a")] == ["request-2-cam-a"]
    assert store.held_indexes() == [1, 2, 3] and book.held("cam-a", *FIVE[2])
    assert list(store.objects) == [hold_key("cam-a", "request-2-cam-a")]  # a restarted recorder agrees
    book.release("cam-a", "request-2-cam-a")
    assert store.held_indexes() == [] and book.active("cam-a") == [] and store.objects == {}


def test_a_release_unlocks_only_what_no_other_hold_covers():
    book, store = book_with(hold("wide", 0, 4), hold("narrow", 2, 2))
    book.release("cam-a", "wide")  # the narrow hold lies inside the wide one's range and stays
    assert store.held_indexes() == [2]
    book, store = book_with(hold("wide", 0, 4), hold("narrow", 2, 2))
    book.release("cam-a", "narrow")
    assert store.held_indexes() == [0, 1, 2, 3, 4]


def test_releasing_an_unknown_or_another_cameras_hold_changes_nothing():
    book, store = book_with(hold("h1", 1, 2))
    assert book.release("cam-a", "no-such-hold") is None
    assert book.release("cam-b", "h1") is None  # the command's camera must be the hold's
    assert store.held_indexes() == [1, 2] and [h.command_id for h in book.active("cam-a")] == ["h1"]
    assert book.release("cam-a", "h1") is not None
    assert book.release("cam-a", "h1") is None  # a re-delivered release: already done


def test_a_release_that_fails_in_storage_keeps_the_hold_for_the_retry():
    book, store = book_with(hold("h1", 1, 2))
    store.fail_set_hold = True
    with pytest.raises(ConnectionError):
        book.release("cam-a", "h1")
    assert book.held("cam-a", *FIVE[1]) and hold_key("cam-a", "h1") in store.objects
    store.fail_set_hold = False
    assert book.release("cam-a", "h1") is not None
    assert store.held_indexes() == [] and store.objects == {}


def command(release: bool, hold_id: str = "") -> bytes:
    return commands_pb2.Command(legal_hold=commands_pb2.LegalHoldCommand(
        command_id="h1-release" if release else "h1", camera_id="cam-a", range_start_us=FIVE[1][0],
        range_end_us=FIVE[2][1], release=release, hold_id=hold_id)).SerializeToString()


def test_a_release_command_names_the_hold_it_ends():
    placed = messages.hold_change(command(False))
    assert (placed.release, placed.hold_id, placed.hold.command_id) == (False, "h1", "h1")
    released = messages.hold_change(command(True, "h1"))
    assert (released.release, released.hold_id, released.hold.command_id) == (True, "h1", "h1-release")
    with pytest.raises(ValueError, match="hold_id"):  # "everything in the range" is no longer a release
        messages.hold_change(command(True))
