"""Pages for import and export: download, upload, check (a dry run), then confirm.

The uploaded bytes wait for the confirmation in a file under ``DATA_DIR/imports``
named by a random token; the token is remembered in the uploader's session, so a
client can neither name a path nor confirm someone else's upload. Confirming
consumes the token (an atomic rename), so a double click cannot import twice.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from django import forms
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.defaultfilters import filesizeformat
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kept.core.roles import can_see_financials
from kept.core.transfer import (
    ENTITIES,
    FORMATS,
    MAX_ROWS,
    Entity,
    column_guide,
    export_entity,
    import_file,
    template_file,
)

INVALID = 422  # a form with errors is shown again with this status
SESSION_KEY = "kept_transfer_uploads"
UPLOAD_SUFFIX = ".upload"
UPLOAD_MAX_AGE_SECONDS = 6 * 60 * 60
UPLOADS_PER_SESSION = 5
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{43}$")


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("File"),
        help_text=gettext_lazy(
            "CSV (UTF-8 or GBK) or Excel .xlsx; the first row holds the column names."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,.xlsx"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.KEPT_IMPORT_MAX_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                _("The file is %(size)s; the most allowed is %(limit)s.")
                % {"size": filesizeformat(upload.size), "limit": filesizeformat(limit)}
            )
        return upload


@dataclass(frozen=True)
class EntityRow:
    entity: Entity
    may_import: bool
    may_export: bool


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    user = request.user
    rows = [
        EntityRow(entity, entity.may_import(user), entity.may_export(user))
        for entity in ENTITIES.values()
    ]
    rows = [row for row in rows if row.may_import or row.may_export]
    return render(
        request,
        "kept/core/transfer.html",
        {"rows": rows, "formats": list(FORMATS), "max_rows": MAX_ROWS},
    )


@require_GET
def export(request: HttpRequest, entity: str, fmt: str) -> HttpResponse:
    spec = _entity(entity, fmt)
    if not spec.may_export(request.user):
        raise PermissionDenied
    return _download(*export_entity(entity, fmt, user=request.user))


@require_GET
def template(request: HttpRequest, entity: str, fmt: str) -> HttpResponse:
    spec = _entity(entity, fmt)
    if not spec.may_import(request.user):
        raise PermissionDenied
    return _download(*template_file(entity, fmt, user=request.user))


@require_http_methods(["GET", "POST"])
def upload(request: HttpRequest, entity: str) -> HttpResponse:
    """Show the form; on POST check the file with a dry run and keep it for confirmation."""
    spec = _importable(request, entity)
    if request.method == "GET":
        return _page(request, spec, UploadForm())
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, spec, form, status=200 if request.htmx else INVALID)
    upload_file = form.cleaned_data["file"]
    data, filename = upload_file.read(), _display_name(upload_file.name)
    report = import_file(entity, data, filename, dry_run=True, actor=request.user)
    token = _keep_upload(request, entity, filename, data) if report.ok else ""
    return _page(request, spec, UploadForm(), report=report, token=token)


@require_POST
def confirm(request: HttpRequest, entity: str) -> HttpResponse:
    """Import the file checked a moment ago, for real."""
    spec = _importable(request, entity)
    kept = _take_upload(request, entity, request.POST.get("token", ""))
    if kept is None:
        notice = _("This upload has expired or was already imported. Upload the file again.")
        return _page(request, spec, UploadForm(), notice=notice)
    filename, data = kept
    report = import_file(entity, data, filename, dry_run=False, actor=request.user)
    return _page(request, spec, UploadForm(), report=report)


def _entity(name: str, fmt: str | None = None) -> Entity:
    if name not in ENTITIES or (fmt is not None and fmt not in FORMATS):
        raise Http404
    return ENTITIES[name]


def _importable(request: HttpRequest, name: str) -> Entity:
    spec = _entity(name)
    if not spec.may_import(request.user):
        raise PermissionDenied
    return spec


def _page(request: HttpRequest, spec: Entity, form, *, status: int = 200, **extra) -> HttpResponse:
    context = {"entity": spec, "form": form, **extra}
    if request.htmx:
        return render(request, "kept/core/transfer_report.html", context)
    context.update(
        columns=column_guide(spec, financials=can_see_financials(request.user)),
        formats=list(FORMATS),
        max_rows=MAX_ROWS,
    )
    return render(request, "kept/core/transfer_upload.html", context, status=status)


def _download(data: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def _display_name(name: str) -> str:
    return os.path.basename(name or "")[:200] or _("upload")


# Uploads waiting for confirmation ----------------------------------------------------------


def _upload_dir() -> Path:
    directory = Path(settings.DATA_DIR) / "imports"
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    return directory


def _keep_upload(request: HttpRequest, entity: str, filename: str, data: bytes) -> str:
    _remove_stale_uploads()
    token = secrets.token_urlsafe(32)
    path = _upload_dir() / f"{token}{UPLOAD_SUFFIX}"
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(data)
    pending = request.session.get(SESSION_KEY, {})
    pending[token] = {
        "entity": entity,
        "filename": filename,
        "sha256": hashlib.sha256(data).hexdigest(),
        "at": time.time(),
    }
    request.session[SESSION_KEY] = _newest(pending)
    return token


def _newest(pending: dict) -> dict:
    """Keep the latest few uploads of a session; forget (and delete) older ones."""
    ordered = sorted(pending.items(), key=lambda item: item[1]["at"], reverse=True)
    for token, _entry in ordered[UPLOADS_PER_SESSION:]:
        (_upload_dir() / f"{token}{UPLOAD_SUFFIX}").unlink(missing_ok=True)
    return dict(ordered[:UPLOADS_PER_SESSION])


def _take_upload(request: HttpRequest, entity: str, token: str) -> tuple[str, bytes] | None:
    """The (file name, bytes) kept under ``token`` for this session and entity, once."""
    pending = request.session.get(SESSION_KEY, {})
    entry = pending.get(token) if _TOKEN.match(token) else None
    if entry is None or entry["entity"] != entity:
        return None
    request.session[SESSION_KEY] = {key: value for key, value in pending.items() if key != token}
    claimed = _upload_dir() / f"{token}.{uuid.uuid4().hex}.claimed"
    try:
        os.rename(_upload_dir() / f"{token}{UPLOAD_SUFFIX}", claimed)
    except FileNotFoundError:
        return None  # already confirmed (a double click), or removed as stale
    data = claimed.read_bytes()
    claimed.unlink()
    fresh = time.time() - entry["at"] < UPLOAD_MAX_AGE_SECONDS
    if not fresh or hashlib.sha256(data).hexdigest() != entry["sha256"]:
        return None
    return entry["filename"], data


def _remove_stale_uploads() -> None:
    cutoff = time.time() - UPLOAD_MAX_AGE_SECONDS
    for path in _upload_dir().iterdir():
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
        except FileNotFoundError:
            pass  # removed by a concurrent request
