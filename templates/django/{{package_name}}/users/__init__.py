"""Users: registration, bearer-token login, and failed-login throttling for Django's own User."""
