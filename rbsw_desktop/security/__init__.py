"""Keys, keyring access and lock policy. No Qt."""
