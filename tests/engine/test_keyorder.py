from gitops_tui.engine.keyorder import canonical


def test_same_content_same_order_whatever_came_first():
    a = {"spec": {"b": 1, "a": 2}, "kind": "X", "apiVersion": "v1", "metadata": {"labels": {}, "name": "n"}}
    b = {"apiVersion": "v1", "metadata": {"name": "n", "labels": {}}, "kind": "X", "spec": {"a": 2, "b": 1}}
    assert list(canonical(a)) == ["apiVersion", "kind", "metadata", "spec"]
    assert list(canonical(a)["metadata"]) == ["name", "labels"]
    assert repr(canonical(a)) == repr(canonical(b))


def test_name_first_in_nested_maps_and_lists_keep_their_order():
    obj = {"spec": {"containers": [{"image": "i", "name": "z"}, {"name": "a", "env": []}]}}
    containers = canonical(obj)["spec"]["containers"]
    assert [c["name"] for c in containers] == ["z", "a"]
    assert list(containers[0]) == ["name", "image"]
