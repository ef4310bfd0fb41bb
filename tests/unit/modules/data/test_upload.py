"""Uploaded files: read only inside the session's upload folder, deleted once read."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

from modules.shared.uploads import discard_upload, is_upload, upload_root


def shiny_upload(root: Path, name: str = "0.csv") -> Path:
    """A file laid out as Shiny writes one: <session folder>/<random folder>/<index><suffix>."""
    folder = root / "tmpab12cd"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(b"age,died\n50,1\n")
    return path


def test_a_read_upload_is_deleted_with_its_folder(tmp_path):
    root = tmp_path / "fileupload-x"
    path = shiny_upload(root)
    assert discard_upload(str(path), root.resolve()) is True
    assert not path.exists() and not path.parent.exists()
    assert root.exists()  # Shiny removes its own folder when the session ends


def test_deleting_twice_or_a_vanished_file_is_quiet(tmp_path):
    root = tmp_path / "fileupload-x"
    path = shiny_upload(root)
    discard_upload(str(path), root.resolve())
    assert discard_upload(str(path), root.resolve()) is True  # nothing left: no error
    assert root.exists()


def test_a_folder_with_other_uploads_is_kept(tmp_path):
    root = tmp_path / "fileupload-x"
    first, second = shiny_upload(root, "0.csv"), shiny_upload(root, "1.csv")
    discard_upload(str(first), root.resolve())
    assert not first.exists() and second.exists()


def test_a_forged_datapath_is_neither_read_nor_deleted(tmp_path):
    root = (tmp_path / "fileupload-x").resolve()
    shiny_upload(root)
    outside = tmp_path / "app_data.csv"
    outside.write_text("secret\n")
    other_session = shiny_upload(tmp_path / "fileupload-y")
    for forged in (
        str(outside),
        str(other_session),
        str(root / ".." / "app_data.csv"),
        str(root),
        "",
        None,
        ["x"],
    ):
        assert not is_upload(forged, root)
        assert discard_upload(forged, root) is False
    assert outside.exists() and other_session.exists() and root.exists()


def test_upload_root_is_the_sessions_own_folder(tmp_path):
    manager = SimpleNamespace(_basedir=str(tmp_path / "fileupload-abc"))
    root_session = SimpleNamespace(_file_upload_manager=manager)
    module_session = SimpleNamespace(root_scope=lambda: root_session)
    assert upload_root(module_session) == (tmp_path / "fileupload-abc").resolve()
