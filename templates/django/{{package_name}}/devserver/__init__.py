"""The development server (`manage.py runserver`), logging like the rest of the project."""
