"""A gunicorn worker's memory over one upload of the maximum size, per kind of file.

What it does, start to end (loopback only; one upload per kind, bounded in time):

1. a temp folder with a throwaway SQLite database (migrated), MEDIA_ROOT and the upload temp
   folder; with a `--path` other than the probe's, also `seed_demo` and the superuser's token;
2. gunicorn (devtools/harness.py) with one sync worker and
   `DJANGO_SETTINGS_MODULE=devtools.upload_probe_settings`: the product's settings and routes plus
   the upload probe (devtools/upload_probe.py: the upload routes' parser, body limit, checks and
   storage, no order);
3. per `--kinds`: the file of that kind written to disk, a small warm-up upload of the same kind
   (imports, first allocations), the worker's VmRSS, its peak reset (`/proc/PID/clear_refs`),
   the upload streamed from disk, then VmRSS and VmHWM again;
4. prints one line per kind: size, pixels, HTTP status, RSS before, peak growth (VmHWM after −
   VmRSS before), RSS after; exits 1 when a PDF's peak growth reaches `--budget-mb`.

Kinds: `pdf` (a PDF of exactly the size limit), `jpeg` (a noise JPEG of exactly the size limit,
about 6 megapixels), `jpeg-50mp` (a 49.9-megapixel photo with an EXIF rotation: small on disk, the
real bound of an image's cost), `png-50mp` (the same as a PNG with transparency).

Run: `.venv/bin/python devtools/upload_memory.py`, `--kinds pdf,jpeg`, `--max-mb 10`,
`--path /api/v1/afterservice/orders/{order}/attachments` (the attachment route, once it exists:
`{order}` becomes the first order the superuser sees), `--field file_data`, `--keep`.
"""

# ruff: noqa: T201 - a command-line tool: it reports on stdout

from __future__ import annotations

import argparse
import http.client
import io
import json
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from devtools.harness import BIN, Server  # noqa: E402 - needs ROOT on sys.path

MiB = 1024 * 1024
# devtools/upload_probe.py's route (not imported: that module needs Django set up).
PROBE_PATH = "/api/devtools/upload-probe"
KINDS = ("pdf", "jpeg", "jpeg-50mp", "png-50mp")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kinds", default=",".join(KINDS), help=f"comma-separated, of {', '.join(KINDS)}")
    parser.add_argument("--max-mb", type=int, default=10, help="AFTERSERVICE_ATTACHMENT_MAX_MB for the server")
    parser.add_argument("--path", default=PROBE_PATH, help="upload route; {order} = the first visible order's id")
    parser.add_argument("--field", default="file", help="multipart field of the file (the old app: file_data)")
    parser.add_argument("--budget-mb", type=float, default=30, help="the PDF's allowed peak growth")
    parser.add_argument("--keep", action="store_true", help="keep the temp folder (log, files) afterwards")
    return parser.parse_args(argv)


# --- Files ---------------------------------------------------------------------------------------
def write_pdf(path: Path, size: int) -> str:
    head, tail = b"%PDF-1.7\n%", b"\n%%EOF\n"
    with path.open("wb") as out:
        out.write(head)
        remaining = size - len(head) - len(tail)
        while remaining:
            block = min(remaining, MiB)
            out.write(b"0" * block)
            remaining -= block
        out.write(tail)
    return "-"


def write_noise_jpeg(path: Path, size: int) -> str:
    """Random pixels (a JPEG's worst compression) at quality 95, as big as fits, then filled to
    exactly `size` with comment segments (valid JPEG)."""
    from PIL import Image

    side = 1000
    while True:
        buffer = io.BytesIO()
        Image.frombytes("RGB", (side, side), os.urandom(side * side * 3)).save(buffer, "JPEG", quality=95)
        data = buffer.getvalue()
        if size * 0.97 <= len(data) <= size - 4:
            break
        side = int(side * math.sqrt(size * 0.985 / len(data)))
    missing = size - len(data)
    comments = b""
    while missing:
        payload = min(missing - 4, 65533 - 2)
        if missing - (payload + 4) in (1, 2, 3):  # leave room for a last segment of at least 4
            payload -= 4
        comments += b"\xff\xfe" + (payload + 2).to_bytes(2, "big") + b"c" * payload
        missing -= payload + 4
    path.write_bytes(data[:2] + comments + data[2:])
    return f"{side}x{side}"


def write_photo(path: Path, fmt: str) -> str:
    """49.9 megapixels of a smooth photo-like gradient; a JPEG carries an EXIF rotation."""
    from PIL import ExifTags, Image

    width, height = 8160, 6120  # a 50-megapixel phone sensor's 4:3, just under the limit
    image = Image.linear_gradient("L").resize((width, height)).convert("RGB")
    params: dict = {}
    if fmt == "JPEG":
        exif = Image.Exif()
        exif[ExifTags.Base.Orientation] = 6
        params = {"exif": exif, "quality": 90}
    else:
        image.putalpha(Image.linear_gradient("L").resize((width, height)))
    image.save(path, fmt, **params)
    return f"{width}x{height}"


def make_file(kind: str, folder: Path, size_limit: int) -> tuple[Path, str, str]:
    """The file of a kind: its path, pixels, content type."""
    if kind == "pdf":
        path = folder / "max.pdf"
        return path, write_pdf(path, size_limit), "application/pdf"
    if kind == "jpeg":
        path = folder / "max.jpg"
        return path, write_noise_jpeg(path, size_limit), "image/jpeg"
    if kind == "jpeg-50mp":
        path = folder / "50mp.jpg"
        return path, write_photo(path, "JPEG"), "image/jpeg"
    path = folder / "50mp.png"
    return path, write_photo(path, "PNG"), "image/png"


def small_file(kind: str, folder: Path) -> tuple[Path, str]:
    from PIL import Image

    if kind == "pdf":
        path = folder / "small.pdf"
        write_pdf(path, 4096)
        return path, "application/pdf"
    path = folder / ("small.png" if kind.startswith("png") else "small.jpg")
    Image.new("RGBA" if kind.startswith("png") else "RGB", (64, 48), "gray").save(path)
    return path, "image/png" if kind.startswith("png") else "image/jpeg"


# --- The worker ----------------------------------------------------------------------------------
def worker_pid(master: int) -> int:
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    if len(children) != 1:
        raise SystemExit(f"upload_memory: expected one gunicorn worker, found {children}")
    return int(children[0])


def memory_kib(pid: int) -> dict[str, int]:
    status = Path(f"/proc/{pid}/status").read_text()
    return {key: int(re.search(rf"^{key}:\s+(\d+) kB", status, re.M).group(1)) for key in ("VmRSS", "VmHWM")}


def reset_peak(pid: int) -> bool:
    """Resets VmHWM to the current RSS (Linux ≥ 4.0); False when not permitted."""
    try:
        Path(f"/proc/{pid}/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def post_file(base: str, path: str, field: str, file: Path, content_type: str, token: str) -> tuple[int, str]:
    """A multipart upload streamed from disk (the body is written to a file first)."""
    boundary = uuid.uuid4().hex
    body = file.with_suffix(file.suffix + ".body")
    with body.open("wb") as out, file.open("rb") as source:
        out.write(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; filename="{file.name}"\r\n'
            f"Content-Type: {content_type}\r\n\r\n".encode()
        )
        shutil.copyfileobj(source, out, MiB)
        out.write(f"\r\n--{boundary}--\r\n".encode())
    host, port = base.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=120, blocksize=64 * 1024)
    headers = {"Content-Type": f"multipart/form-data; boundary={boundary}", "Content-Length": str(body.stat().st_size)}
    if token:
        headers["Authorization"] = f"Token {token}"
    try:
        with body.open("rb") as stream:
            connection.request("POST", path, body=stream, headers=headers)
        response = connection.getresponse()
        return response.status, response.read().decode(errors="replace")[:300]
    finally:
        connection.close()
        body.unlink()


# --- Driver --------------------------------------------------------------------------------------
def manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(  # noqa: S603 - our own manage.py
        [str(BIN / "python"), "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        sys.stderr.write(result.stdout + result.stderr)
        raise SystemExit(f"upload_memory: manage.py {' '.join(args)} failed")
    return result.stdout


def server_env(workdir: Path, max_mb: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "DEBUG")}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "devtools.upload_probe_settings",
            "SQLITE_PATH": str(workdir / "db.sqlite3"),
            "MEDIA_ROOT": str(workdir / "media"),
            "TMPDIR": str(workdir / "tmp"),  # the upload handler's temporary files
            "AFTERSERVICE_ATTACHMENT_MAX_MB": str(max_mb),
            "DEBUG": "0",
            "AFTERSERVICE_DEV_KEY_OK": "1",
            "AFTERSERVICE_PLAIN_STATIC": "1",
            "LOG_LEVEL": "WARNING",
        }
    )
    env.pop("ATTACHMENTS_S3_BUCKET", None)
    return env


def login(env: dict[str, str], server: Server, path: str) -> tuple[str, str]:
    """For a real route: the superuser's token, and `{order}` replaced by an order it sees."""
    manage(env, "seed_demo")
    match = re.search(r"token (\w+) for user", manage(env, "drf_create_token", "admin"))
    if not match:
        raise SystemExit("upload_memory: no token from drf_create_token")
    token = match.group(1)
    if "{order}" in path:
        orders = json.loads(server.get("/api/v1/afterservice/orders?per_page=1", token))["data"]
        path = path.replace("{order}", str(orders[0]["id"]))
    return token, path


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    kinds = [kind.strip() for kind in args.kinds.split(",") if kind.strip()]
    if unknown := set(kinds) - set(KINDS):
        raise SystemExit(f"upload_memory: unknown kinds {sorted(unknown)}")
    workdir = Path(tempfile.mkdtemp(prefix="upload-memory-"))
    (workdir / "tmp").mkdir()
    env = server_env(workdir, args.max_mb)
    server: Server | None = None
    failed = False
    try:
        manage(env, "migrate", "--noinput", "--verbosity", "0")
        server = Server("upload_memory", "afterservice_site.wsgi:application", env, 1, workdir / "gunicorn.log")
        server.wait_ready()
        token, path = ("", args.path) if args.path == PROBE_PATH else login(env, server, args.path)
        pid = worker_pid(server.proc.pid)
        print(f"upload_memory: worker {pid} on {server.base}, POST {path} ({args.field}), limit {args.max_mb} MiB")
        print(f"{'kind':<10} {'size':>12} {'pixels':>10} {'status':>6} {'RSS before':>11} {'peak growth':>12}", end="")
        print(f" {'RSS after':>10}  time")
        for kind in kinds:
            file, pixels, content_type = make_file(kind, workdir, args.max_mb * MiB)
            warm, warm_type = small_file(kind, workdir)
            post_file(server.base, path, args.field, warm, warm_type, token)
            before = memory_kib(pid)
            exact = reset_peak(pid)
            started = time.monotonic()
            status, answer = post_file(server.base, path, args.field, file, content_type, token)
            seconds = time.monotonic() - started
            after = memory_kib(pid)
            growth = (after["VmHWM"] - before["VmRSS"]) / 1024
            note = "" if exact else " (peak not reset: growth is an upper bound)"
            print(
                f"{kind:<10} {file.stat().st_size:>12,} {pixels:>10} {status:>6} {before['VmRSS'] / 1024:>9.1f}MB"
                f" {growth:>10.1f}MB {after['VmRSS'] / 1024:>8.1f}MB  {seconds:.1f}s{note}"
            )
            if status >= 300:
                print(f"           answer: {answer}")
            if kind == "pdf" and growth >= args.budget_mb:
                print(f"upload_memory: a max-size PDF grew the worker by {growth:.1f} MB (budget {args.budget_mb} MB)")
                failed = True
            file.unlink()
    finally:
        if server is not None:
            server.stop()
        if args.keep:
            print(f"upload_memory: kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
