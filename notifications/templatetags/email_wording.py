"""`{% wording "_headline.txt" %}`: a wording partial of the email templates, rendered once per distinct
wording.

The partials (_headline, _days, _action) read only an item's `Wording` (its kind, deadline day, days left,
document label and stamp) and are rendered from it alone, so two emails with the same wording in the same
language and escaping get the same text: the partial is rendered once and kept (a few hundred distinct
wordings a day). This is what lets the outbox render hundreds of emails a second (docs/notifications.md);
the output is the one an `{% include %}` of the partial gives.
"""

from __future__ import annotations

import functools
import posixpath

from django import template
from django.template import Engine
from django.template.context import Context
from django.utils import translation
from django.utils.safestring import SafeString, mark_safe

from notifications.emails import Wording

register = template.Library()


@functools.lru_cache(maxsize=4096)
def render_wording(name: str, wording: Wording, language: str | None, autoescape: bool) -> str:
    with translation.override(language):
        partial = Engine.get_default().get_template(name)
        return partial.render(Context({"item": wording}, autoescape=autoescape))


@register.simple_tag(takes_context=True)
def wording(context: Context, name: str) -> SafeString | str:
    """The partial `name`, next to the template being rendered, for the item in the context."""
    path = posixpath.join(posixpath.dirname(str(context.template_name)), name)
    text = render_wording(path, context["item"].wording, translation.get_language(), context.autoescape)
    return mark_safe(text) if context.autoescape else text  # noqa: S308 (rendered with autoescape on)
