from django.contrib.auth.decorators import login_not_required
from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("dang-nhap/", login_not_required(views.LoginView.as_view()), name="login"),
    path("dang-xuat/", views.LogoutView.as_view(), name="logout"),
    path("tai-khoan/", views.ProfileView.as_view(), name="profile"),
    path("tai-khoan/doi-mat-khau/", views.PasswordChangeView.as_view(), name="password_change"),
    path("tai-khoan/doi-mat-khau/xong/", views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("quan-tri/nguoi-dung/", views.UserListView.as_view(), name="user_list"),
    path("quan-tri/nguoi-dung/them/", views.UserCreateView.as_view(), name="user_create"),
    path("quan-tri/nguoi-dung/<int:pk>/sua/", views.UserUpdateView.as_view(), name="user_update"),
    path(
        "quan-tri/nguoi-dung/<int:pk>/dat-mat-khau/",
        views.UserSetPasswordView.as_view(),
        name="user_set_password",
    ),
    path("quan-tri/nguoi-dung/<int:pk>/trang-thai/", views.UserSetActiveView.as_view(), name="user_set_active"),
    path("quan-tri/nguoi-dung/<int:pk>/mo-khoa/", views.UserUnlockView.as_view(), name="user_unlock"),
]
