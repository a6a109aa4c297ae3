"""The admin shows invoices and payments but never writes them (the actions do)."""

from django.urls import reverse

from kept.receivables.models import Invoice, Payment


def test_admin_lists_invoices_with_status(client_as, manager, hand_case):
    html = client_as(manager).get(reverse("admin:receivables_invoice_changelist")).content.decode()

    assert hand_case["overdue"].number in html
    assert "Overdue" in html and "300.00" in html


def test_admin_shows_an_invoice_and_a_payment_read_only(client_as, manager, hand_case):
    client = client_as(manager)
    invoice = hand_case["partly_paid"]
    payment = Payment.objects.filter(allocations__isnull=False).get()

    invoice_page = client.get(reverse("admin:receivables_invoice_change", args=[invoice.pk]))
    payment_page = client.get(reverse("admin:receivables_payment_change", args=[payment.pk]))

    assert invoice_page.status_code == payment_page.status_code == 200
    assert 'name="amount"' not in invoice_page.content.decode()  # nothing to edit


def test_admin_cannot_add_change_or_delete(client_as, manager, hand_case):
    client = client_as(manager)
    invoice = hand_case["overdue"]

    assert client.get(reverse("admin:receivables_invoice_add")).status_code == 403
    assert client.get(reverse("admin:receivables_payment_add")).status_code == 403
    response = client.post(reverse("admin:receivables_invoice_delete", args=[invoice.pk]))
    assert response.status_code == 403
    assert Invoice.objects.filter(pk=invoice.pk).exists()
    changed = client.post(
        reverse("admin:receivables_invoice_change", args=[invoice.pk]), {"amount": "1.00"}
    )
    assert changed.status_code == 403
    invoice.refresh_from_db()
    assert invoice.amount == 1000
