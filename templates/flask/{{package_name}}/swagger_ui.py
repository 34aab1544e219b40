"""Swagger UI's scripts and styles, served by the app so /api/docs works without network.

flask-smorest renders /api/docs from a page that loads `swagger-ui-bundle.js`,
`swagger-ui-standalone-preset.js` and `swagger-ui.css` from `OPENAPI_SWAGGER_UI_URL`;
the files come from the `swagger-ui-bundle` package instead of a CDN.
"""

from flask import Blueprint
from swagger_ui_bundle import swagger_ui_path

bp = Blueprint(
    "swagger_ui",
    __name__,
    static_folder=str(swagger_ui_path),
    static_url_path="/api/docs/assets",
)
