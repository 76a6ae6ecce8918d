"""HoldBook's bookkeeping under concurrency (pure: the store is an in-memory stand-in)."""
import threading
import time

from services.recorder.holds import Hold, HoldBook


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
