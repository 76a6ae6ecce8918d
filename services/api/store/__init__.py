"""Database adapters (sync SQLAlchemy; async callers use asyncio.to_thread)."""
