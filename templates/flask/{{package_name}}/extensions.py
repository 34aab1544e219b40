"""Extension objects, created unbound here and bound to the app in `create_app`.

Keeping them apart from the app avoids circular imports: models and routes import `db`
and `api` from here, and `create_app` imports them all.
"""

from flask_migrate import Migrate
from flask_smorest import Api
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    """Base of every model (SQLAlchemy 2 style: `Mapped`, `mapped_column`).

    Models subclass `Base` rather than `db.Model`: both share one metadata and registry,
    and type checkers understand a class but not the `db.Model` attribute.
    """


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
api = Api()
