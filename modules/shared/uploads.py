"""Where a session's uploads live and how they go: the Data tab's files and the codebook's alike.

Shiny writes each upload under the session's own temporary folder; these helpers read and delete
only inside it, so a forged datapath can touch nothing else.
"""

from __future__ import annotations

import contextlib
import logging
import tempfile
from pathlib import Path

from utils.upload_store import store

log = logging.getLogger(__name__)


def upload_root(session) -> Path:
    """The directory where Shiny writes this session's uploads (its own temporary folder).

    Shiny keeps it on the session's upload manager, a private attribute; when that is missing
    (another Shiny version), the system temp folder is the bound, which still keeps reads and
    deletions away from the app's own files.
    """
    root = session.root_scope() if hasattr(session, "root_scope") else session
    manager = getattr(root, "_file_upload_manager", None)
    basedir = getattr(manager, "_basedir", None)
    return Path(basedir or tempfile.gettempdir()).resolve()


def track_uploads(session) -> None:
    """Put the session's upload folder under the disk bounds (utils/upload_store.py) until the
    session ends."""
    root = session.root_scope() if hasattr(session, "root_scope") else session
    store.register(root.id, upload_root(session), getattr(root, "_file_upload_manager", None))
    session.on_ended(lambda: store.unregister(root.id))


def is_upload(datapath: object, root: Path) -> bool:
    """Whether a datapath names a file inside the session's upload folder.

    A browser can send any value for an input, so a forged datapath ('/etc/passwd', another
    session's upload) must neither be read nor deleted.
    """
    if not isinstance(datapath, str) or not datapath:
        return False
    path = Path(datapath).resolve()
    return path != root and path.is_relative_to(root)


def discard_upload(datapath: object, root: Path) -> bool:
    """Delete an uploaded file once read, and its folder if that is now empty; never raises.

    Shiny keeps uploads until the session ends; deleting each one after reading means a
    session holds at most the file being read. Returns whether a file was deleted.
    """
    if not is_upload(datapath, root):
        return False
    path = Path(str(datapath)).resolve()
    try:
        path.unlink(missing_ok=True)
    except OSError as exc:
        log.warning("upload not deleted: %s", type(exc).__name__)
        return False
    if path.parent != root:
        with contextlib.suppress(OSError):  # not empty (another upload) or already gone
            path.parent.rmdir()  # Shiny's per-upload folder
    return True
