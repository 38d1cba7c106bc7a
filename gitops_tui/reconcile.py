"""See DESIGN §5."""
