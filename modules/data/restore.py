"""A tab restored by another worker gets its data set back from Redis, off the event loop.

Its saved parts arrive with the session (small: settings, steps, results), its data set as a
StoredDataset: the frame, the one large thing, is read and decoded in the worker pool
(`logic.restore_data`), as an upload is, while the Data tab says it is restoring. What comes
back is the tab's data (the analysis tabs' last results are drawn again once it is here), or
why it cannot (`tab.lost`), which the Data tab then says in a sentence.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from shiny import reactive

import logic
from modules.shared.background import run_in_worker
from modules.shared.session_state import TabState
from utils.dataset import Dataset
from utils.tab_codec import DataLost, StoredDataset

log = logging.getLogger(__name__)


def serve_restore(
    tab: TabState,
    stored: StoredDataset,
    base: reactive.Value,
    data_lost: reactive.Value,
) -> Callable[[], bool]:
    """Read the stored data set into `base` (or say why not in `data_lost`); whether it is
    still being read (reactive)."""
    restoring = reactive.value(True)
    started = [False]

    @reactive.extended_task
    async def reading(what: StoredDataset) -> Dataset | DataLost:
        return await run_in_worker(logic.restore_data, what, share=tab.share)

    @reactive.effect
    def _start():
        if not started[0]:
            started[0] = True
            reading.invoke(stored)

    @reactive.effect
    def _finish():
        status = reading.status()
        if status not in ("success", "error"):
            return
        try:
            result = reading.result()
        except Exception:  # an unexpected failure: as a damaged value, never a traceback
            log.exception("a restored data set could not be read")
            result = DataLost("damaged", stored.fingerprint, "", stored.meta)
        with reactive.isolate():
            if isinstance(result, Dataset):
                log.info("tab's data set restored from the shared store")
                base.set(result)
            else:
                log.info("tab reconnected without its data set (%s)", result.reason)
                tab.lost = result
                data_lost.set(tab.lost_sentence())
            restoring.set(False)

    return restoring
