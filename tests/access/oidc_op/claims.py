def personal_number(user):
    return user.username


def userinfo(claims, user):
    claims["name"] = user.get_full_name()
    return claims
