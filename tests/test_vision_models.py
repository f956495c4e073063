"""Model files: the manifest, fetching over HTTP, importing, and finding a model to run."""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import http.server
import io
import re
import socket
import tarfile
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from edgepac import paths
from edgepac.errors import EdgePacError
from edgepac.vision import models, truncate

DEFAULT_SHA = "ce8f61fe3e4e29560c4ea8038e4b91eb354be330fc428348b9645bd1e7de03bf"
FAMILY = "https://storage.googleapis.com/download.tensorflow.org/models/mobilenet_v1_2018_08_02/"


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob("*")) if folder.exists() else []


def _refused_url() -> str:
    """An address on this machine where nothing listens: connecting is refused at once."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/mobilenet_v1_0.25_224_quant.tgz"


def _tgz(member_name: str, data: bytes) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        info = tarfile.TarInfo(member_name)
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
        readme = b"a checkpoint would be here"
        info = tarfile.TarInfo("./mobilenet_v1_0.25_128_quant_info.txt")
        info.size = len(readme)
        tar.addfile(info, io.BytesIO(readme))
    return buf.getvalue()


class Terminal(io.StringIO):
    """What a terminal would show, as text: the bar is redrawn in place with carriage returns."""

    def isatty(self) -> bool:
        return True


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A tiny HTTP server on 127.0.0.1 serving the files of a folder: (base URL, folder)."""
    root = tmp_path / "www"
    root.mkdir()

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    httpd = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Quiet, directory=str(root))
    )
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", root
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture
def manifest() -> models.Manifest:
    return models.load_manifest()


def _with_url(manifest: models.Manifest, name: str, url: str) -> models.Manifest:
    variants = dict(manifest.variants)
    variants[name] = dataclasses.replace(variants[name], url=url)
    return dataclasses.replace(manifest, variants=variants)


def test_manifest_knows_the_official_variants(
    manifest: models.Manifest, model_025_128: Path, model_05_160: Path
) -> None:
    assert manifest.default == "0.25_224"
    default = manifest.variants["0.25_224"]
    assert default.url == FAMILY + "mobilenet_v1_0.25_224_quant.tgz"
    assert default.sha256 == (DEFAULT_SHA,)
    assert (default.alpha, default.native_input_size, default.input_size) == (0.25, 224, 224)
    assert default.cut_layer == "conv_pw_13_relu"
    small = manifest.variants["0.25_128"]
    assert small.url == FAMILY + "mobilenet_v1_0.25_128_quant.tgz"
    assert _sha(model_025_128) in small.sha256
    assert (small.native_input_size, small.input_size) == (128, 224)  # the tutorial's 7x7x256
    assert _sha(model_05_160) in manifest.variants["0.5_160"].sha256
    assert [v.name for v in manifest.in_preference_order()] == ["0.25_224", "0.25_128", "0.5_160"]


def test_broken_manifest_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "manifest.toml"
    bad.write_text('default = "x"\n[variants.x]\nurl = "u"\n')
    with pytest.raises(EdgePacError, match="variant 'x' is missing or has a bad 'member'"):
        models.load_manifest(bad)
    bad.write_text('default = "y"\n')
    with pytest.raises(EdgePacError, match="default 'y' is not one of its variants"):
        models.load_manifest(bad)


def test_fetch_downloads_verifies_extracts_cuts_and_stores(
    server: tuple[str, Path], manifest: models.Manifest, model_025_128: Path
) -> None:
    base, root = server
    (root / "m.tgz").write_bytes(
        _tgz("./mobilenet_v1_0.25_128_quant.tflite", model_025_128.read_bytes())
    )
    progress = Terminal()
    cut = models.fetch_model("0.25_128", url=f"{base}/m.tgz", progress=progress, manifest=manifest)
    folder = paths.models_dir()
    assert cut == folder / "mobilenet_v1_0.25_128_quant.conv_pw_13_relu.tflite"
    assert (
        folder / "mobilenet_v1_0.25_128_quant.tflite"
    ).read_bytes() == model_025_128.read_bytes()
    assert truncate.output_layer(truncate.load_model(cut.read_bytes())) == "conv_pw_13_relu"
    assert _listing(folder) == sorted([cut.name, "mobilenet_v1_0.25_128_quant.tflite"])
    assert all(p.stat().st_mode & 0o777 == 0o644 for p in folder.iterdir())  # the kiosk reads them
    bar = progress.getvalue()
    assert bar.startswith("\rdownloading m.tgz [") and bar.endswith("\n")
    assert "100% " in bar.splitlines()[-1].split("\r")[-1] and "MB/s" in bar
    # Now it is here: resolving needs no network.
    assert models.resolve_model("0.25_128") == cut
    assert models.resolve_model(None) == cut
    assert models.resolve_model("0.25_128", full=True).name == "mobilenet_v1_0.25_128_quant.tflite"


def test_wrong_checksum_leaves_nothing(
    server: tuple[str, Path], manifest: models.Manifest, model_05_160: Path
) -> None:
    base, root = server
    # The right file name, the wrong model inside: exactly what a checksum is for.
    (root / "m.tgz").write_bytes(
        _tgz("mobilenet_v1_0.25_128_quant.tflite", model_05_160.read_bytes())
    )
    with pytest.raises(EdgePacError) as info:
        models.fetch_model("0.25_128", url=f"{base}/m.tgz", progress=None, manifest=manifest)
    assert "does not match model 0.25_128" in str(info.value) and "fetch it again" in str(
        info.value
    )
    assert _listing(paths.models_dir()) == []


def test_no_network_is_one_line_saying_what_to_do(manifest: models.Manifest) -> None:
    with pytest.raises(EdgePacError) as info:
        models.fetch_model(url=_refused_url(), progress=io.StringIO(), manifest=manifest)
    message = str(info.value)
    assert "could not download http://127.0.0.1:" in message and "refused" in message
    assert "edgepac fetch-model --from FILE" in message and "\n" not in message
    assert _listing(paths.models_dir()) == []


@pytest.mark.parametrize(
    ("name", "content", "match"),
    [
        ("m.tgz", b"<html>a captive portal</html>", "is not a .tgz archive"),
        ("missing.tgz", None, "HTTP 404"),
        ("m.tflite", b"not a model at all, honest", "is not a TFLite model"),
    ],
)
def test_bad_downloads_leave_nothing(
    server: tuple[str, Path],
    manifest: models.Manifest,
    name: str,
    content: bytes | None,
    match: str,
) -> None:
    base, root = server
    if content is not None:
        (root / name).write_bytes(content)
    with pytest.raises(EdgePacError, match=match):
        models.fetch_model("0.25_128", url=f"{base}/{name}", progress=None, manifest=manifest)
    assert _listing(paths.models_dir()) == []


def test_archive_without_the_model_names_it(
    server: tuple[str, Path], manifest: models.Manifest
) -> None:
    base, root = server
    (root / "m.tgz").write_bytes(_tgz("other.tflite", b"x" * 10))
    with pytest.raises(
        EdgePacError, match=re.escape("does not hold mobilenet_v1_0.25_128_quant.tflite")
    ):
        models.fetch_model("0.25_128", url=f"{base}/m.tgz", progress=None, manifest=manifest)


def test_import_from_file_folder_and_archive(
    tmp_path: Path, model_025_128: Path, test_data: Path
) -> None:
    cut = models.import_model(model_025_128)  # the variant is recognised by its checksum
    assert cut.name == "mobilenet_v1_0.25_128_quant.conv_pw_13_relu.tflite"
    cut = models.import_model(test_data / "models")  # a folder: the most preferred known model
    assert cut.name == "mobilenet_v1_0.25_128_quant.conv_pw_13_relu.tflite"
    cut = models.import_model(test_data / "models", "0.5_160")
    assert cut.name == "mobilenet_v1_0.5_160_quant.conv_pw_13_relu.tflite"
    archive = tmp_path / "mobilenet_v1_0.25_128_quant.tgz"
    archive.write_bytes(_tgz("./mobilenet_v1_0.25_128_quant.tflite", model_025_128.read_bytes()))
    assert models.import_model(archive, "0.25_128").is_file()


def test_import_refuses_unknown_and_mislabelled_files(
    tmp_path: Path, model_025_128: Path, model_05_160: Path, labels_file: Path
) -> None:
    cut = tmp_path / "cut.tflite"
    truncate.truncate_file(model_025_128, cut)  # a real TFLite model, but not a known one
    with pytest.raises(EdgePacError, match=r"cut\.tflite is not a model EdgePac knows"):
        models.import_model(cut)
    with pytest.raises(EdgePacError, match=re.escape("does not match model 0.25_224")):
        models.import_model(model_05_160, "0.25_224")
    with pytest.raises(EdgePacError, match="is not a TFLite model"):
        models.import_model(labels_file)
    with pytest.raises(EdgePacError, match=re.escape("holds no model 0.25_224")):
        models.import_model(labels_file.parent, "0.25_224")
    with pytest.raises(EdgePacError, match=re.escape("unknown model variant '9.9_999'")):
        models.import_model(model_025_128, "9.9_999")
    assert _listing(paths.models_dir()) == []


def test_ensure_model_uses_what_is_here_without_network(
    manifest: models.Manifest, model_05_160: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    models.import_model(model_05_160)
    offline = _with_url(manifest, "0.25_224", _refused_url())
    monkeypatch.delenv(models.SEARCH_ENV, raising=False)
    path = models.ensure_model(progress=None, manifest=offline)  # (b): no download tried
    assert path.name == "mobilenet_v1_0.5_160_quant.conv_pw_13_relu.tflite"


def test_ensure_model_falls_back_to_the_search_path(
    manifest: models.Manifest, test_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    offline = _with_url(manifest, "0.25_224", _refused_url())
    monkeypatch.setenv(models.SEARCH_ENV, f"{tmp_path / 'nowhere'}:{test_data / 'models'}")
    path = models.ensure_model(progress=None, manifest=offline)
    # 0.25_128 comes before 0.5_160 in the manifest, so it is preferred.
    assert path == paths.models_dir() / "mobilenet_v1_0.25_128_quant.conv_pw_13_relu.tflite"
    assert models.default_input_size(path) == 224
    assert models.ensure_model(progress=None, manifest=offline) == path  # (b) next time


def test_ensure_model_with_nothing_anywhere_says_what_to_do(
    manifest: models.Manifest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(models.SEARCH_ENV, str(tmp_path))
    with pytest.raises(EdgePacError) as info:
        models.ensure_model(progress=None, manifest=_with_url(manifest, "0.25_224", _refused_url()))
    assert "no model here and none could be fetched" in str(info.value)
    assert "--from FILE" in str(info.value)


def test_damaged_stored_model_is_moved_aside_not_used(model_025_128: Path) -> None:
    models.import_model(model_025_128)
    full = paths.models_dir() / "mobilenet_v1_0.25_128_quant.tflite"
    full.write_bytes(full.read_bytes()[:-10] + b"0123456789")  # bit rot
    with pytest.raises(EdgePacError, match=r"no model 0\.25_128 here yet"):
        models.resolve_model("0.25_128")
    assert (paths.models_dir() / "mobilenet_v1_0.25_128_quant.tflite.corrupt").is_file()


def test_missing_cut_twin_is_cut_again(model_025_128: Path) -> None:
    cut = models.import_model(model_025_128)
    good = cut.read_bytes()
    cut.unlink()  # a power cut between the two atomic writes
    assert models.resolve_model("0.25_128") == cut and cut.read_bytes() == good


def test_resolve_model_paths_and_errors(model_025_128: Path, tmp_path: Path) -> None:
    assert models.resolve_model(str(model_025_128)) == model_025_128
    with pytest.raises(
        EdgePacError, match=re.escape("give a .tflite path or one of 0.25_224, 0.25_128")
    ):
        models.resolve_model(tmp_path / "nope.tflite")
    with pytest.raises(EdgePacError, match="run `edgepac fetch-model`"):
        models.resolve_model(None)
    assert models.default_input_size(model_025_128) == 224
    assert models.default_input_size(tmp_path / "mine.tflite") is None


def test_progress_bar_without_a_known_size() -> None:
    out = Terminal()
    bar = models.ProgressBar("downloading x", None, out)
    bar.update(2_500_000)
    bar.finish()
    assert out.getvalue().startswith("\rdownloading x 2.5 MB ")


def test_progress_in_a_log_is_one_final_line() -> None:
    log = io.StringIO()  # not a terminal: the journal, a file
    bar = models.ProgressBar("downloading x", 4_000_000, log)
    for _ in range(4):
        bar.update(1_000_000)
    bar.finish()
    assert "\r" not in log.getvalue() and log.getvalue().count("\n") == 1
    assert log.getvalue().startswith(
        "downloading x [##############################] 100% 4.0/4.0 MB"
    )


def test_a_download_cut_half_way_ends_the_bar_line(manifest: models.Manifest) -> None:
    class HalfServer(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Length", "1000000")
            self.end_headers()
            self.wfile.write(b"x" * 1000)  # then hang up

        def log_message(self, *args: object) -> None:
            pass

    httpd = http.server.HTTPServer(("127.0.0.1", 0), HalfServer)
    thread = threading.Thread(target=httpd.handle_request, daemon=True)
    thread.start()
    progress = Terminal()
    try:
        with pytest.raises(EdgePacError, match="stopped early"):
            models.fetch_model(
                "0.25_128",
                url=f"http://127.0.0.1:{httpd.server_address[1]}/m.tgz",
                progress=progress,
                manifest=manifest,
            )
    finally:
        thread.join(5)
        httpd.server_close()
    assert progress.getvalue().endswith("\n")  # the error starts on a line of its own
    assert _listing(paths.models_dir()) == []
