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
