"""``{{ url|web_url }}``: the URL when it is http(s), else nothing; every link to a stored URL uses it."""

from django import template

from motcua.core import weblinks

register = template.Library()
register.filter("web_url", weblinks.web_url)
