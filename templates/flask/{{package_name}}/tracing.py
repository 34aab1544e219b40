"""OpenTelemetry traces (a span per request and per database query), exported over OTLP/HTTP.

Imported only when OTEL_EXPORTER_OTLP_ENDPOINT is set: without it, nothing of OpenTelemetry is
loaded. `instrument` hooks the app and its engine up when the app is built (in gunicorn's master,
before the fork); `start_exporting` runs in each worker after the fork (gunicorn.conf.py),
because the exporter's background thread belongs to one process. Until then, spans go nowhere.
"""

from flask import Flask
from opentelemetry import trace
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.instrumentation.flask import FlaskInstrumentor
from opentelemetry.instrumentation.sqlalchemy import SQLAlchemyInstrumentor
from opentelemetry.sdk.resources import SERVICE_NAME, Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor

from .extensions import db


def instrument(app: Flask) -> None:
    FlaskInstrumentor().instrument_app(app)  # type: ignore[no-untyped-call]  # not annotated
    with app.app_context():
        # The instrumentation declares SQLAlchemy < 2.1 although it works with 2.1; without
        # skip_dep_check it would quietly record no query at all.
        SQLAlchemyInstrumentor().instrument(engine=db.engine, skip_dep_check=True)


def start_exporting(endpoint: str, service_name: str) -> None:
    """Send this process's spans to the collector at `endpoint` (its base URL)."""
    provider = TracerProvider(resource=Resource.create({SERVICE_NAME: service_name}))
    exporter = OTLPSpanExporter(endpoint=f"{endpoint.rstrip('/')}/v1/traces")
    provider.add_span_processor(BatchSpanProcessor(exporter))
    trace.set_tracer_provider(provider)
