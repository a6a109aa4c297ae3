"""Promises at risk: what supply no longer covers, the date to propose, the message to send."""

from __future__ import annotations

from itertools import groupby

from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from kept.catalog.models import Product
from kept.promising import supply

VIEW = "promising.view_order"


@require_GET
@permission_required(VIEW, raise_exception=True)
def at_risk(request: HttpRequest) -> HttpResponse:
    sku = request.GET.get("sku", "").replace("\x00", "").strip()[:32]
    products = list(Product.objects.filter(sku=sku)) if sku else None
    risks = sorted(
        supply.at_risk(products),
        key=lambda r: (r.line.product.sku, r.commitment.date, r.commitment.pk),
    )
    groups = [
        {"product": product, "items": list(items)}
        for product, items in groupby(risks, key=lambda r: r.line.product)
    ]
    context = {"groups": groups, "count": len(risks), "sku": sku}
    return render(request, "kept/promising/at_risk.html", context)
