"""List items are matched by merge key, never by index."""

from __future__ import annotations

from gitops_tui.engine import lists


def test_known_merge_keys() -> None:
    assert lists.key_fields("containers", [{"name": "a"}]) == ("name",)
    assert lists.key_fields("env", [{"name": "A", "value": "1"}]) == ("name",)
    assert lists.key_fields("volumeMounts", [{"name": "data", "mountPath": "/a"}]) == ("mountPath",)
    assert lists.key_fields("volumeDevices", [{"name": "d", "devicePath": "/dev/x"}]) == ("devicePath",)


def test_ports_of_containers_and_of_services() -> None:
    container_ports = [{"containerPort": 80}, {"containerPort": 53, "protocol": "UDP"}]
    service_ports = [{"port": 80, "targetPort": 8080}]
    assert lists.key_fields("ports", container_ports) == ("containerPort", "protocol")
    assert lists.key_fields("ports", service_ports) == ("port", "protocol")
    # protocol is defaulted by the server, so Git's `containerPort: 80` is live's {80, TCP}
    assert lists.key_of({"containerPort": 80}, ("containerPort", "protocol")) == (80, "TCP")


def test_unknown_lists_with_unique_names_are_matched_by_name() -> None:
    assert lists.key_fields("versions", [{"name": "v1"}, {"name": "v2"}]) == ("name",)
    assert lists.key_fields("versions", [{"name": "v1"}, {"name": "v1"}]) is None
    assert lists.key_fields("tolerations", [{"key": "a"}]) is None
    assert lists.key_fields("args", ["a", "b"]) is None
    assert lists.key_fields("containers", []) is None


def test_match_by_key_whatever_the_order() -> None:
    left = [{"name": "a"}, {"name": "b"}, {"name": "c"}]
    right = [{"name": "new"}, {"name": "c"}, {"name": "a"}]
    assert lists.match(left, right, ("name",)) == [(0, 2), (1, None), (2, 1), (None, 0)]


def test_match_by_index_without_a_key() -> None:
    assert lists.match([1, 2, 3], [1], None) == [(0, 0), (1, None), (2, None)]
    assert lists.match([], [1, 2], None) == [(None, 0), (None, 1)]


def test_an_item_whose_key_changed_is_paired_by_its_unique_name() -> None:
    git = [{"name": "http", "port": 80}, {"name": "grpc", "port": 9000}]
    live = [
        {"name": "http", "port": 8080, "protocol": "TCP"},
        {"name": "grpc", "port": 9000, "protocol": "TCP"},
    ]
    fields = ("port", "protocol")
    assert lists.match(git, live, fields) == [(0, 0), (1, 1)]
    assert lists.match(git, live, fields, pair_renamed=False) == [(0, None), (1, 1), (None, 0)]


def test_labels_read_like_the_fixtures() -> None:
    ports = [{"name": "http", "port": 80}, {"name": "metrics", "port": 9090}]
    fields = ("port", "protocol")
    assert lists.label(ports[0], fields, 0, ports) == "[name=http]"
    unnamed = [{"port": 80}, {"port": 53, "protocol": "UDP"}]
    assert lists.label(unnamed[1], fields, 1, unnamed) == "[port=53,protocol=UDP]"
    assert lists.label({"key": "x"}, None, 3, [{"key": "x"}]) == "3"
