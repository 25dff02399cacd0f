"""The seed's wire format: ``/v1/{application}[/{queue}[/{ids}]]``."""
