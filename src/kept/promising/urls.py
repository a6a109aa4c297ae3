app_name = "promising"
urlpatterns: list = []
