"""Manager pages of customer value: the customer P&L, the whale curve, the profit
destroyers, and the settings behind them. (Being built.)"""

from django.http import Http404


def _todo(request, *args, **kwargs):
    raise Http404


profit = settings_page = save_rates = save_quadrants = save_spend = add_vip = end_vip = _todo
