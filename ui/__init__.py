"""The app's page, one module per tab; app.py puts them together. Nothing here imports torch."""
