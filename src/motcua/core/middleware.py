"""Server-Timing: how long the application took for each response.

Browsers' developer tools and the load benchmark (bench/workspace.py) read
it, so "server time" is measured by the server, not guessed from the client.
"""

import time


class ServerTimingMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        response["Server-Timing"] = f"app;dur={(time.perf_counter() - started) * 1000:.1f}"
        return response


class VietnameseFirstMiddleware:
    """The interface is Vietnamese unless the user picks another language (the language menu's cookie).

    Placed before Django's LocaleMiddleware: a browser configured for English does not switch a
    provincial office's screens by itself.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)
