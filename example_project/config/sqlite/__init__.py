"""Django's SQLite backend, set up for a web server and a worker writing at once."""
