"""Speed-ups for the Rasa server process, installed before Rasa starts. The launcher runs
    python -m clinic_bot.speedups run --model ... (the same arguments as `python -m rasa run ...`)

Each was measured with py-spy and `make bench` (see bench/tuning.md):
1. Action results: Rasa checks every reply of the action server with `jsonschema.validate`, which first
   re-checks the schema itself, on every call: about a third of the Rasa server's CPU per message. Here the
   validator is built once per schema and reused; the reply is checked exactly as before.
2. Tracker store (SQLite): write-ahead log and synchronous=NORMAL. Rasa commits twice per message; with
   the default rollback journal each commit syncs the journal and the database to disk. With WAL a commit is
   one append; a power cut may lose the last turns, never the file's consistency. And a pool that keeps the
   connection open: SQLAlchemy 1.4 opens and closes a SQLite file connection for every session (NullPool),
   several times per message.
3. Warm-up: one message through the NLU pipeline while the model loads, before the port opens, so the
   first patient does not pay for TensorFlow tracing its graph.
4. Loading a conversation: Rasa finds the class of every stored event by walking all subclasses of Event,
   for each event, on every message, so a message costs more the longer its conversation. The class of
   each event type is looked up once.
"""
import json
from typing import Any, Dict

WARM_UP_TEXT = "hello, is interventional pain management covered by insurance?"

_validators: Dict[str, Any] = {}


def _validate_with_cached_validator(instance: Any, schema: Dict[str, Any], *args: Any, **kwargs: Any) -> None:
    """jsonschema.validate, with the schema checked and the validator built once per schema."""
    import jsonschema

    if args or kwargs:
        return _original_validate(instance, schema, *args, **kwargs)
    key = json.dumps(schema, sort_keys=True, default=str)
    validator = _validators.get(key)
    if validator is None:
        cls = jsonschema.validators.validator_for(schema)
        cls.check_schema(schema)
        validator = _validators[key] = cls(schema)
    error = jsonschema.exceptions.best_match(validator.iter_errors(instance))
    if error is not None:
        raise error


def _sqlite_pragmas(connection: Any) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _engine_kwargs(original: Any) -> Any:
    def engine_kwargs(url: Any) -> Dict[str, Any]:
        from sqlalchemy.pool import QueuePool

        if str(getattr(url, "drivername", url)).startswith("sqlite"):
            return {"poolclass": QueuePool}  # one thread (Rasa's event loop) uses it
        return original(url)
    return engine_kwargs


def _event_class_cache(original: Any) -> Any:
    classes: Dict[str, Any] = {}

    def resolve_by_type(type_name: str, default: Any = None) -> Any:
        found = classes.get(type_name)
        if found is None:
            found = original(type_name, default)
            if found is not None and found is not default:  # unknown types are not remembered
                classes[type_name] = found
        return found
    return staticmethod(resolve_by_type)


def _warm_up_after_loading(original: Any) -> Any:
    async def load_and_warm_up(*args: Any, **kwargs: Any) -> Any:
        agent = await original(*args, **kwargs)
        if agent is not None and agent.is_ready():
            await agent.parse_message(WARM_UP_TEXT)  # NLU only: nothing is stored
        return agent
    return load_and_warm_up


def install() -> None:
    global _original_validate
    import jsonschema
    import rasa.core.run
    import rasa.core.tracker_store
    from rasa.shared.core.events import Event
    from sqlalchemy import event
    from sqlalchemy.engine import Engine
    from sqlite3 import Connection as SQLiteConnection

    if jsonschema.validate is not _validate_with_cached_validator:
        _original_validate = jsonschema.validate
        jsonschema.validate = _validate_with_cached_validator

    @event.listens_for(Engine, "connect")
    def on_connect(connection: Any, record: Any) -> None:
        if isinstance(connection, SQLiteConnection):
            _sqlite_pragmas(connection)

    if not getattr(Event, "_clinic_cached", False):
        Event.resolve_by_type = _event_class_cache(Event.resolve_by_type)
        Event._clinic_cached = True
    rasa.core.tracker_store.create_engine_kwargs = _engine_kwargs(rasa.core.tracker_store.create_engine_kwargs)
    rasa.core.run.load_agent_on_start = _warm_up_after_loading(rasa.core.run.load_agent_on_start)


_original_validate: Any = None


if __name__ == "__main__":
    install()
    from rasa.__main__ import main

    main()
