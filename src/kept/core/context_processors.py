from kept.core.roles import can_see_financials, role_of


def kept(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"kept_role": None, "can_see_financials": False}
    return {"kept_role": role_of(user), "can_see_financials": can_see_financials(user)}
