"""The real viewer in a window under Xvfb, driven by real X input events (xdotool).

Expected values come from a headless render of the same view, which shares the renderer.
"""

import json
import os
import subprocess
import sys
import time

import imageio.v3 as iio
import numpy as np
import pytest
from golden import tolerance_for

from dofviewer.content.scene import load_scene
from dofviewer.render.headless import HeadlessRenderer
from dofviewer.shot.camera import CameraPose
from dofviewer.shot.focus import silhouette_focus

SIZE = (320, 180)
PULL_S = 1.0


@pytest.fixture(scope="module")
def demo_view(headless):
    """The demo as the viewer first shows it: ids, depth, and each object's focus spot."""
    scene = load_scene()
    frame = headless.render(scene, SIZE, dof=False)
    spots = {}
    for index, obj in enumerate(scene.objects):
        found = silhouette_focus(frame.object_ids, frame.depth, index + 1)
        if found:
            spots[obj.name] = found  # (depth, (x, y))
    return scene, spots


def settled(state):
    return not state["pulling"]


def test_click_pulls_focus_to_the_object_under_the_cursor(viewer, demo_view):
    scene, spots = demo_view
    app = viewer()
    depth, (x, y) = spots["crate"]
    app.click(x, y)
    moving = app.wait_until(lambda s: s["target"] == "crate", what="the click")
    assert moving["focus_target_m"] == pytest.approx(depth, rel=1e-4)
    assert moving["pulling"], "focus should ease, not jump"
    done = app.wait_until(settled, timeout=PULL_S + 10, what="the pull to end")
    assert done["focus_distance_m"] == pytest.approx(depth, rel=1e-4)
    assert done["time_s"] - moving["time_s"] >= PULL_S * 0.5


def test_slow_frames_preview_while_focus_moves_and_refine_when_it_lands(
    viewer, demo_view, headless
):
    """On llvmpipe a full-quality frame at 640×360 takes longer than PREVIEW_ABOVE_MS
    (about 100 ms), so a pull is drawn at the preview quality and the settled frame at
    full quality."""
    if "llvmpipe" not in headless.gl_renderer:
        pytest.skip("on a GPU full-quality frames are fast enough never to preview")
    scene, spots = demo_view
    app = viewer(size=(2 * SIZE[0], 2 * SIZE[1]))
    first = app.wait_until(lambda s: s["frames"] > 2, what="the first frames")
    assert first["quality"] == "final"
    x, y = spots["tower"][1]
    app.click(2 * x, 2 * y)
    app.wait_until(lambda s: s["pulling"] and s["quality"] == "preview", what="a preview frame")
    done = app.wait_until(lambda s: settled(s) and s["quality"] == "final", timeout=PULL_S + 10,
                          what="the full-quality frame after the pull")  # fmt: skip
    # A still view is not drawn again: the loop runs on, the renderer rests.
    later = app.wait_until(lambda s: s["frames"] > done["frames"] + 5, what="idle frames")
    assert later["drawn_frames"] - done["drawn_frames"] <= 1


def test_tab_cycles_near_to_far_and_marks_recall(viewer, demo_view):
    scene, spots = demo_view
    order = sorted(spots, key=lambda name: spots[name][0])
    app = viewer()
    _, (x, y) = spots[order[0]]
    app.click(x, y)
    app.wait_until(lambda s: s["target"] == order[0], what="the click on the nearest object")
    seen = [order[0]]
    for _ in range(3):
        app.key("Tab")
        previous = seen[-1]
        seen.append(app.wait_until(lambda s, p=previous: s["target"] != p, what="Tab")["target"])
    assert seen == order[:4]
    app.key("shift+Tab")
    assert app.wait_until(lambda s: s["target"] == order[2], what="Shift+Tab")["target"] == order[2]

    app.key("ctrl+2")
    stored = app.wait_until(lambda s: "2" in s["marks"], what="Ctrl+2")["marks"]["2"]
    assert stored["target"] == order[2]
    app.click(*spots[order[0]][1])
    app.wait_until(lambda s: s["target"] == order[0], what="a click elsewhere")
    app.key("2")
    recalled = app.wait_until(
        lambda s: s["target"] == order[2] and settled(s), timeout=15, what="mark 2"
    )
    assert recalled["focus_distance_m"] == pytest.approx(stored["distance_m"], rel=1e-5)


def test_resize_during_a_pull_keeps_running(viewer, demo_view):
    scene, spots = demo_view
    app = viewer()
    depth, (x, y) = spots["tower"]
    app.click(x, y)
    app.wait_until(lambda s: s["pulling"], what="the pull to start")
    app.resize(400, 240)
    state = app.wait_until(lambda s: s["framebuffer_size"] == [400, 240] and settled(s), timeout=20,
                           what="the resized frames")  # fmt: skip
    frames = state["frames"]
    assert state["focus_distance_m"] == pytest.approx(depth, rel=1e-4)
    app.wait_until(lambda s: s["frames"] > frames + 2, what="more frames after the resize")
    assert app.close() == 0


def test_window_frame_equals_headless_render(viewer, demo_view, headless):
    """A screenshot is offline output: it equals a headless render at the offline
    default (4× MSAA), whatever the live window uses."""
    scene, spots = demo_view
    app = viewer()
    app.click(*spots["globe"][1])
    app.wait_until(lambda s: s["target"] == "globe" and settled(s), timeout=15, what="the pull")
    app.key("p")
    state = app.wait_until(lambda s: s["screenshots"], what="the screenshot")
    shot = iio.imread(state["screenshots"][0])
    camera = state["camera"]
    with HeadlessRenderer(SIZE, ctx=headless.ctx) as offline:
        assert offline.renderer.targets.msaa == 4
        frame = offline.render(
            scene, SIZE,
            pose=CameraPose(tuple(camera["position"]), tuple(camera["look_at"])),
            lens=scene.lens.with_(f_stop=state["f_stop"], focal_length_mm=state["focal_length_mm"]),
            focus_distance_m=state["focus_distance_m"],
        )  # fmt: skip
    compare_to_golden_pair(
        "viewer-vs-headless", shot, frame.image, tolerance_for(headless.gl_renderer)
    )


def test_the_window_shows_the_settled_frame_and_keeps_showing_it(viewer, demo_view):
    """Frames are tone-mapped straight into the window; the display target (what
    screenshots and unchanged redraws use) catches up afterwards. The window must show
    the same image as the screenshot once a pull lands, and again after idle redraws.
    ``--msaa 0`` makes the screenshot use the window's own antialiasing."""
    _, spots = demo_view
    app = viewer(extra_args=["--msaa", "0"])
    app.click(*spots["crate"][1])
    app.wait_until(lambda s: s["target"] == "crate" and settled(s), timeout=15, what="the pull")
    time.sleep(0.3)  # the refined frame after the pull, then idle redraws
    landed = app.window_pixels()
    app.key("p")
    state = app.wait_until(lambda s: s["screenshots"], what="the screenshot")
    shot = iio.imread(state["screenshots"][0])
    time.sleep(0.5)
    later = app.window_pixels()
    assert landed.shape == later.shape == shot.shape
    # The rows between the status panel and the bottom message (the HUD's own layout).
    hud = state["hud"]
    status_bottom = hud["status"][1] + hud["status"][3]
    hud_free = slice(status_bottom, hud.get("message", [0, 180])[1])
    assert hud_free.stop - hud_free.start >= 40
    for window in (landed, later):
        diff = np.abs(window[hud_free].astype(int) - shot[hud_free].astype(int))
        assert diff.max() <= 1, f"window differs from the frame: max {diff.max()}"


def compare_to_golden_pair(name, actual, expected, tolerance):
    """The golden metric applied to two fresh images (no stored file)."""
    import golden

    problems = tolerance.problems(golden.difference(actual, expected))
    if problems:
        golden.OUTPUT_DIR.mkdir(exist_ok=True)
        iio.imwrite(golden.OUTPUT_DIR / f"{name}-actual.png", actual)
        iio.imwrite(golden.OUTPUT_DIR / f"{name}-expected.png", expected)
    assert not problems, f"window frame differs from headless: {'; '.join(problems)}"


def test_escape_exits_cleanly(viewer):
    app = viewer()
    assert app.close() == 0
    assert "Traceback" not in app.process.stderr.read()


def test_no_display_is_one_line_and_nonzero(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    result = subprocess.run([sys.executable, "-m", "dofviewer"], env=env, capture_output=True,
                            text=True, timeout=60, cwd=tmp_path)  # fmt: skip
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "dofviewer render" in result.stderr


def test_tracking_keeps_focus_on_a_moving_object(viewer, tmp_path):
    """A ball flies straight away from the camera along the view axis (so it stays under
    the cursor); after a click and F, focus follows its surface as it recedes."""
    scene_file = tmp_path / "away.json"
    scene_file.write_text(json.dumps({
        "camera": {"position": [0, 0, 0], "look_at": [0, 0, -1], "focus_distance_m": 10},
        "objects": [
            {"name": "ball", "shape": "sphere", "position": [0, 0, -3], "radius": 0.4,
             "animate": {"path": [[0, 0, -3], [0, 0, -9]], "period_s": 24}},
            {"name": "wall", "shape": "plane", "position": [0, 0, -30], "size": [80, 80],
             "rotation_deg": [90, 0, 0], "texture": "checker"},
        ],
    }))  # fmt: skip
    app = viewer(command=["view", str(scene_file)])
    app.click(SIZE[0] // 2, SIZE[1] // 2)
    app.wait_until(lambda s: s["target"] == "ball" and settled(s), timeout=15, what="the pull")
    app.key("f")
    start = app.wait_until(lambda s: s["tracking"], what="tracking on")

    def surface_depth(t):  # the ball's front, where the click landed; 0.5 m/s away
        return 3 + 6 * (t / 12) - 0.4

    later = app.wait_until(lambda s: s["time_s"] > start["time_s"] + 3, timeout=30, what="time")
    assert later["tracking"]
    assert later["focus_distance_m"] - start["focus_distance_m"] > 1.0  # focus moved with it
    # A 0.3 s critically damped spring trails a 0.5 m/s target by about 0.03 m; the target
    # is re-aimed once a frame, so a slow frame (up to 0.3 s on a loaded machine) adds up
    # to 0.15 m more. Without tracking, focus would have stayed near 2.6 m.
    assert later["focus_distance_m"] == pytest.approx(surface_depth(later["time_s"]), abs=0.25)


def _spot(ids, depth, object_id, nearest: bool):
    """A pixel of the object among its nearest (or farthest) tenth by depth, central to
    them: the toy car's grille, or the cloth behind the car."""
    ys, xs = np.nonzero(ids == object_id)
    d = depth[ys, xs]
    keep = d <= np.quantile(d, 0.1) if nearest else d >= np.quantile(d, 0.9)
    ys, xs = ys[keep], xs[keep]
    i = np.argmin((xs - xs.mean()) ** 2 + (ys - ys.mean()) ** 2)
    return int(xs[i]), int(ys[i])


def test_toycar_racks_from_the_grille_to_the_cloth_behind_it(viewer, headless, tmp_path):
    """The bundled glTF model through its authored camera: a click on the car's front,
    then one on the cloth behind, pulls focus to each surface's depth with an eased pull."""
    scene = load_scene("toycar", aspect=SIZE[0] / SIZE[1])
    frame = headless.render(scene, SIZE, dof=False)
    names = [o.name for o in scene.objects]
    car, cloth = names.index("ToyCar") + 1, names.index("Fabric") + 1
    grille = _spot(frame.object_ids, frame.depth, car, nearest=True)
    behind = _spot(frame.object_ids, frame.depth, cloth, nearest=False)
    app = viewer(command=["view", "toycar", "--screenshot-dir", str(tmp_path)])
    for name, (x, y) in (("ToyCar", grille), ("Fabric", behind)):
        app.click(x, y)
        moving = app.wait_until(lambda s, n=name: s["target"] == n, what=f"the click on {name}")
        assert moving["focus_target_m"] == pytest.approx(float(frame.depth[y, x]), rel=1e-3)
        done = app.wait_until(settled, timeout=PULL_S + 10, what="the pull to end")
        assert done["focus_distance_m"] == pytest.approx(float(frame.depth[y, x]), rel=1e-3)
    assert frame.depth[behind[1], behind[0]] > 2 * frame.depth[grille[1], grille[0]]
    app.key("v")
    shot = app.wait_until(lambda s: s["camera"]["shot"] == scene.shots[1].name, what="V")
    assert shot["focal_length_mm"] == pytest.approx(scene.shots[1].focal_length_mm)
