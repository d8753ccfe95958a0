from django.contrib.auth import views as auth_views
from django.urls import path

from puente.accounts import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("two-factor/", views.two_factor, name="two_factor"),
    path("users/", views.users, name="users"),
    path("roles/<int:pk>/remove/", views.role_remove, name="role_remove"),
]
