from .models import User


def user_with_profile(user_id: int) -> User:
    return User.objects.select_related("profile", "office").get(pk=user_id)
