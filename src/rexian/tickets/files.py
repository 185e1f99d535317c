"""What an uploaded file really is, from its first bytes, not its name (pure Python, no Django import)."""

from __future__ import annotations

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024

# (magic prefix, content type, extension); a recording, a photo, a scan, an office file.
SIGNATURES: list[tuple[bytes, str, str]] = [
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
    (b"GIF87a", "image/gif", "gif"),
    (b"GIF89a", "image/gif", "gif"),
    (b"%PDF-", "application/pdf", "pdf"),
    (b"PK\x03\x04", "application/zip", "zip"),  # docx, xlsx, pptx are zip containers
    (b"ID3", "audio/mpeg", "mp3"),
    (b"#!AMR", "audio/amr", "amr"),
]


# Tags that make a browser run or render a file, looked for anywhere in its first bytes.
MARKUP_TAGS = (b"<html", b"<script", b"<svg", b"<iframe", b"<body", b"<!doctype", b"<?xml")


def sniff(head: bytes) -> str | None:
    """The content type of a file starting with `head`, or None when it is not an accepted kind."""
    for prefix, content_type, _ in SIGNATURES:
        if head.startswith(prefix):
            return content_type
    if head.startswith(b"RIFF") and head[8:12] == b"WAVE":
        return "audio/wav"
    if head[4:8] == b"ftyp":
        return "video/mp4"
    try:
        head.decode("utf-8")
    except UnicodeDecodeError:
        # A multi-byte character cut at the end of the sample is still text.
        try:
            head[:-3].decode("utf-8")
        except UnicodeDecodeError:
            return None
    if b"\x00" in head or is_markup(head):
        return None
    return "text/plain"


def is_markup(head: bytes) -> bool:
    """HTML, SVG or XML (a page with a script, whatever its name says): never kept, even as plain text."""
    text = head.removeprefix(b"\xef\xbb\xbf").lstrip().lower()
    return text.startswith(b"<") or any(tag in text for tag in MARKUP_TAGS)


def refusal(name: str, size: int | None, head: bytes) -> str | None:
    """Why an upload is refused, in Chinese (empty, too big, not a kind we keep), or None when it may be kept."""
    if not size:
        return f"文件“{safe_name(name)}”为空。"
    if size > MAX_ATTACHMENT_BYTES:
        return f"文件不能超过 {MAX_ATTACHMENT_BYTES // (1024 * 1024)} MB。"
    if sniff(head) is None:
        return "不支持的文件类型（可上传图片、PDF、Office 文档、录音、视频或文本）。"
    return None


def safe_name(name: str) -> str:
    """The last path component, without control characters, at most 200 characters."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = "".join(ch for ch in base if ch.isprintable()).strip() or "附件"
    return cleaned[-200:]
