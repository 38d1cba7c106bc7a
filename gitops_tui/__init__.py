"""gitops-tui: a keyboard-driven terminal UI over a GitOps repository and its live clusters."""

__version__ = "0.1.0"
