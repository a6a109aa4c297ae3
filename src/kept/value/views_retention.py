"""Segments, retention, lapsing customers and the refit. (Being built.)"""

from django.http import Http404


def _todo(request, *args, **kwargs):
    raise Http404


segments = retention = lapsing = run_refit = refit_status = _todo
