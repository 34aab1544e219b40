"""Swagger UI's scripts and styles, served by the app so /api/docs works without network.

flask-smorest renders /api/docs from a page that loads `swagger-ui-bundle.js`,
`swagger-ui-standalone-preset.js` and `swagger-ui.css` from `OPENAPI_SWAGGER_UI_URL`;
the files come from Swagger UI 5's distribution shipped inside the `flask-swagger-ui`
package (its version is the Swagger UI version, updated with each Swagger UI release)
instead of a CDN.
"""

from pathlib import Path

import flask_swagger_ui
from flask import Blueprint

DIST = Path(flask_swagger_ui.__file__).parent / "dist"

bp = Blueprint(
    "swagger_ui",
    __name__,
    static_folder=str(DIST),
    static_url_path="/api/docs/assets",
)
