def test_package_imports():
    import rbsw_desktop

    assert rbsw_desktop.__version__
