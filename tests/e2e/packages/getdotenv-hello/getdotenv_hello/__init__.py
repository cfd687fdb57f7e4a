"""An example getdotenv plugin; the entry point is ``getdotenv_hello.plugin``."""
