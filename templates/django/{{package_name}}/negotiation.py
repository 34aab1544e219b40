"""Content negotiation that costs nothing when there is nothing to negotiate."""

from collections.abc import Iterable

from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request


class SkipWhenSingleRenderer(DefaultContentNegotiation):
    """With one renderer (production: JSON only) answer with it, as the DRF docs' "ignore the
    client" example does, instead of parsing the Accept header and the query string on every
    request (a sixth of a /health request's CPU time); with several (DEBUG adds the browsable
    API), negotiate as usual."""

    def select_renderer(
        self,
        request: Request,
        renderers: Iterable[BaseRenderer],
        format_suffix: str | None = None,
    ) -> tuple[BaseRenderer, str]:
        choices = list(renderers)
        if len(choices) == 1:
            return choices[0], choices[0].media_type
        chosen: tuple[BaseRenderer, str] = super().select_renderer(request, choices, format_suffix)
        return chosen
