"""Synthetic shapes: the project's embedded detection data set (scenes).

:mod:`.synthetic_voc` writes it to disk in VOC layout.

Generated from a seed in seconds (no download, nothing committed), and built
to exercise what the method targets:

* 8 classes (:data:`CLASSES`); ``star`` is rare (~3.5% of boxes) and
  ``square`` / ``rounded_square`` differ only by their corners (easily
  confused, more so when small);
* colours are drawn independently of the class, so shape must be learned;
* ~70% "easy" images (2-4 large, high-contrast objects on a clean plain
  background: material for confident pseudo-labels) and ~30% "hard" ones
  (3-6 small, low-contrast objects on a noisy gradient with clutter strokes,
  partly occluding each other);
* ``triangle`` (right-angled) and ``arrow`` are left-right asymmetric, so the
  flipped image really differs from the original and flip consistency is not
  satisfied for free. Each is drawn in both mirror orientations under ONE
  class: no two classes are mirror images of each other, because horizontal
  flip augmentation (and the flip-consistency loss) would then teach the
  detector to confuse them.

Sampling a scene (numpy only, :func:`sample_scene`) is separate from drawing
it (:func:`render_scene`), so statistics are checked without drawing, and
every image has its own RNG derived from ``(seed, index)``: images can be made
in any order or in parallel with identical results.

Box convention: a :class:`ShapeObject` box is ``(x1, y1, x2, y2)`` in 0-based
pixel indices, inclusive; the drawn shape touches all four sides. The XML
stores the 1-based VOC values (``+1``), which mmdet's ``XMLDataset`` turns
back into exactly ``(x1, y1, x2, y2)`` (it subtracts 1).
"""
from dataclasses import dataclass
from typing import List, Optional, Tuple

import numpy as np
from PIL import Image, ImageDraw

CLASSES = ('circle', 'square', 'rounded_square', 'triangle', 'cross', 'ring',
           'arrow', 'star')
METAINFO = dict(
    classes=CLASSES,
    palette=[(220, 20, 60), (0, 0, 230), (106, 0, 228), (0, 182, 199),
             (255, 77, 255), (0, 226, 252), (163, 255, 0), (255, 179, 0)])
# Box share per class: ``star`` is the rare class (<= 5% of boxes).
DEFAULT_CLASS_WEIGHTS = (0.15, 0.15, 0.15, 0.15, 0.13, 0.12, 0.115, 0.035)
ASYMMETRIC_CLASSES = ('triangle', 'arrow')

# High-contrast colours for easy images, independent of the class.
_EASY_COLOURS = np.array(
    [(220, 40, 40), (40, 170, 60), (40, 80, 220), (235, 200, 40),
     (200, 50, 200), (40, 190, 210), (240, 130, 30), (120, 60, 180),
     (30, 30, 30), (245, 245, 245)], dtype=np.float64)
_MIN_EASY_CONTRAST = 150.0  # RGB distance between object and background
_PLACEMENT_TRIES = 50  # candidate boxes per object before dropping it


def _star(points: int = 5, inner: float = 0.45) -> list:
    angles = np.pi / 2 + np.arange(2 * points) * np.pi / points
    radius = np.where(np.arange(2 * points) % 2 == 0, 1.0, inner)
    return list(zip(radius * np.cos(angles), -radius * np.sin(angles)))


def _unit(vertices) -> np.ndarray:
    """Polygon rescaled so that its own bounding box is exactly [0, 1]^2."""
    v = np.asarray(vertices, dtype=np.float64)
    return (v - v.min(0)) / (v.max(0) - v.min(0))


# Filled polygons in unit box coordinates (x right, y down). Triangle and
# arrow are drawn as given or mirrored (x -> 1 - x) at random.
_POLYGONS = {
    'triangle': _unit([(0, 0), (0, 1), (1, 1)]),
    'cross': _unit([(1, 0), (2, 0), (2, 1), (3, 1), (3, 2), (2, 2), (2, 3),
                    (1, 3), (1, 2), (0, 2), (0, 1), (1, 1)]),
    'arrow': _unit([(0, .32), (.55, .32), (.55, 0), (1, .5), (.55, 1),
                    (.55, .68), (0, .68)]),
    'star': _unit(_star()),
}
_ROUNDED_CORNER = 0.3  # corner radius of rounded_square / shorter side
_RING_WIDTH = 0.22  # ring thickness / shorter side


@dataclass(frozen=True)
class SceneConfig:
    """How scenes are sampled. Sizes are fractions of ``image_size``.

    Args:
        image_size (int): Square image side in pixels. Defaults to 128 (the
            CPU model's input size). Must be >= 32.
        hard_fraction (float): Share of hard images. Defaults to 0.3.
        class_weights (tuple[float]): Sampling weight per class of
            :data:`CLASSES`. Defaults to :data:`DEFAULT_CLASS_WEIGHTS`.
        easy_num_objects (tuple[int, int]): Objects per easy image, inclusive
            range. Defaults to (2, 4).
        hard_num_objects (tuple[int, int]): Same for hard images.
            Defaults to (3, 6).
        easy_size (tuple[float, float]): Object side range, easy images.
            Defaults to (0.22, 0.42).
        hard_size (tuple[float, float]): Same, hard images. Defaults to
            (0.1, 0.22).
        max_aspect (float): Box aspect ratio stays in [1/a, a]. Default 1.3.
        hard_max_iou (float): Occlusion limit between hard objects: IoU
            <= this and at most ``hard_max_covered`` of either box covered.
            Defaults to 0.25.
        hard_max_covered (float): See above. Defaults to 0.4.
        hard_contrast (tuple[float, float]): RGB distance object/background
            in hard images. Defaults to (40., 90.).
        hard_noise_std (tuple[float, float]): Gaussian pixel noise std range
            in hard images. Defaults to (4., 12.).
        hard_clutter (tuple[int, int]): Number of clutter strokes (lines,
            dots, thin arcs) in hard images. Defaults to (4, 10).
    """
    image_size: int = 128
    hard_fraction: float = 0.3
    class_weights: Tuple[float, ...] = DEFAULT_CLASS_WEIGHTS
    easy_num_objects: Tuple[int, int] = (2, 4)
    hard_num_objects: Tuple[int, int] = (3, 6)
    easy_size: Tuple[float, float] = (0.22, 0.42)
    hard_size: Tuple[float, float] = (0.1, 0.22)
    max_aspect: float = 1.3
    hard_max_iou: float = 0.25
    hard_max_covered: float = 0.4
    hard_contrast: Tuple[float, float] = (40., 90.)
    hard_noise_std: Tuple[float, float] = (4., 12.)
    hard_clutter: Tuple[int, int] = (4, 10)

    def __post_init__(self):
        if not isinstance(self.image_size, int) or self.image_size < 32:
            raise ValueError(f'image_size={self.image_size!r}: use an int '
                             f'>= 32 (objects need room; the CPU config '
                             f'uses 128)')
        if not 0.0 <= self.hard_fraction <= 1.0:
            raise ValueError(f'hard_fraction={self.hard_fraction!r}: use a '
                             f'value in [0, 1]')
        weights = np.asarray(self.class_weights, dtype=np.float64)
        if weights.shape != (len(CLASSES), ) or (weights < 0).any() or \
                weights.sum() <= 0:
            raise ValueError(f'class_weights={self.class_weights!r}: give '
                             f'{len(CLASSES)} non-negative weights, one per '
                             f'class of {CLASSES}, not all zero')
        for name in ('easy_num_objects', 'hard_num_objects'):
            lo, hi = getattr(self, name)
            if not 1 <= lo <= hi:
                raise ValueError(f'{name}={(lo, hi)!r}: use 1 <= min <= max')
        for name in ('easy_size', 'hard_size'):
            lo, hi = getattr(self, name)
            if not 0 < lo <= hi <= 0.9:
                raise ValueError(f'{name}={(lo, hi)!r}: use 0 < min <= max '
                                 f'<= 0.9 (fractions of image_size)')
        if self.max_aspect < 1:
            raise ValueError(f'max_aspect={self.max_aspect!r}: use >= 1')


@dataclass(frozen=True)
class ShapeObject:
    """One object: class index, inclusive 0-based box, RGB colour, mirror."""
    label: int
    box: Tuple[int, int, int, int]
    colour: Tuple[int, int, int]
    mirrored: bool


@dataclass(frozen=True)
class Scene:
    """Everything needed to draw one image; no pixels.

    ``background`` is ``(base_rgb, gradient_rgb_per_px_x, ..._y)``;
    ``clutter`` holds ``(kind, params, rgb)`` strokes drawn under objects.
    """
    image_size: int
    difficulty: str  # 'easy' | 'hard'
    background: tuple
    objects: Tuple[ShapeObject, ...]
    clutter: tuple
    noise_std: float
    noise_seed: int


def image_rng(seed: int, index: int) -> np.random.Generator:
    """The RNG of image ``index``: independent of every other image."""
    return np.random.default_rng(np.random.SeedSequence([seed, index]))


def _offset_colour(rng, base: np.ndarray, lo: float, hi: float) -> tuple:
    """A colour at RGB distance in [lo, hi] from ``base`` (flips the
    direction if clipping to [0, 255] would lose contrast)."""
    direction = rng.normal(size=3)
    direction /= np.linalg.norm(direction) + 1e-12
    step = rng.uniform(lo, hi)
    colour = np.clip(base + step * direction, 0, 255)
    if np.linalg.norm(colour - base) < lo:
        colour = np.clip(base - step * direction, 0, 255)
    return tuple(int(c) for c in np.round(colour))


def _place(rng, cfg: SceneConfig, hard: bool, placed: list):
    """Sample a box (x1, y1, x2, y2) that keeps the overlap rule with the
    ``placed`` boxes: the first of ``_PLACEMENT_TRIES`` candidates that
    fits, or None (the object is then dropped)."""
    s, n = cfg.image_size, _PLACEMENT_TRIES
    lo, hi = cfg.hard_size if hard else cfg.easy_size
    side = rng.uniform(lo, hi, n) * s
    aspect = np.sqrt(np.exp(rng.uniform(-1, 1, n) * np.log(cfg.max_aspect)))
    w = np.clip(np.round(side * aspect), 6, s - 2).astype(np.int64)
    h = np.clip(np.round(side / aspect), 6, s - 2).astype(np.int64)
    # 1 px margin: x1 in [1, s - w - 1], so x2 = x1 + w - 1 <= s - 2.
    x1 = 1 + np.floor(rng.random(n) * (s - 1 - w)).astype(np.int64)
    y1 = 1 + np.floor(rng.random(n) * (s - 1 - h)).astype(np.int64)
    boxes = np.stack([x1, y1, x1 + w - 1, y1 + h - 1], axis=1)
    ok = np.ones(n, dtype=bool)
    for other in placed:
        ok &= _overlap_ok(boxes, np.asarray(other), cfg, hard)
    if not ok.any():
        return None
    return tuple(int(v) for v in boxes[int(np.argmax(ok))])


def _overlap_ok(a: np.ndarray, b: np.ndarray, cfg: SceneConfig,
                hard: bool) -> np.ndarray:
    """Per row of ``a`` (N, 4): may it coexist with box ``b`` (4,)?"""
    if not hard:  # easy: no contact at all, more than 2 px apart
        return ((a[:, 0] > b[2] + 2) | (b[0] > a[:, 2] + 2)
                | (a[:, 1] > b[3] + 2) | (b[1] > a[:, 3] + 2))
    iw = np.minimum(a[:, 2], b[2]) - np.maximum(a[:, 0], b[0]) + 1
    ih = np.minimum(a[:, 3], b[3]) - np.maximum(a[:, 1], b[1]) + 1
    inter = np.maximum(iw, 0) * np.maximum(ih, 0)
    area_a = (a[:, 2] - a[:, 0] + 1) * (a[:, 3] - a[:, 1] + 1)
    area_b = (b[2] - b[0] + 1) * (b[3] - b[1] + 1)
    return ((inter <= cfg.hard_max_iou * (area_a + area_b - inter))
            & (inter <= cfg.hard_max_covered * np.minimum(area_a, area_b)))


def sample_scene(rng: np.random.Generator, cfg: SceneConfig) -> Scene:
    """Sample one image's content (classes, boxes, colours, background)."""
    s = cfg.image_size
    hard = bool(rng.random() < cfg.hard_fraction)
    if hard:
        base = rng.uniform(70, 185, size=3)
        gradient = rng.uniform(-40, 40, size=(2, 3)) / s
        n_lo, n_hi = cfg.hard_num_objects
        clutter = []
        for _ in range(int(rng.integers(cfg.hard_clutter[0],
                                        cfg.hard_clutter[1] + 1))):
            kind = ('line', 'dot', 'arc')[int(rng.integers(3))]
            x, y = rng.uniform(0, s, size=2)
            if kind == 'line':
                dx, dy = rng.uniform(-0.2, 0.2, size=2) * s
                params = (x, y, x + dx, y + dy, int(rng.integers(1, 3)))
            elif kind == 'dot':
                params = (x, y, float(rng.uniform(1, 2.5)))
            else:
                r = rng.uniform(4, 10)
                start = rng.uniform(0, 360)
                params = (x - r, y - r, x + r, y + r, start,
                          start + rng.uniform(60, 200))
            clutter.append((kind, tuple(float(p) for p in params),
                            _offset_colour(rng, base, *cfg.hard_contrast)))
    else:
        light = rng.random() < 0.5
        base = rng.uniform(200, 250, size=3) if light else rng.uniform(
            10, 60, size=3)
        gradient = np.zeros((2, 3))
        n_lo, n_hi = cfg.easy_num_objects
        clutter = []
    weights = np.asarray(cfg.class_weights, dtype=np.float64)
    num = int(rng.integers(n_lo, n_hi + 1))
    labels = rng.choice(len(CLASSES), size=num, p=weights / weights.sum())
    far = np.linalg.norm(_EASY_COLOURS - base, axis=1)
    easy_colours = _EASY_COLOURS[far >= _MIN_EASY_CONTRAST].astype(int)
    objects, boxes = [], []
    for label in labels:
        box = _place(rng, cfg, hard, boxes)
        if box is None:
            continue
        if hard:
            colour = _offset_colour(rng, base, *cfg.hard_contrast)
        else:
            colour = tuple(easy_colours[rng.integers(len(easy_colours))])
        mirrored = bool(rng.random() < 0.5)
        objects.append(
            ShapeObject(int(label), box, tuple(int(c) for c in colour),
                        mirrored))
        boxes.append(box)
    noise = float(rng.uniform(*cfg.hard_noise_std)) if hard else 0.0
    return Scene(s, 'hard' if hard else 'easy',
                 (tuple(base.tolist()), tuple(gradient[0].tolist()),
                  tuple(gradient[1].tolist())), tuple(objects),
                 tuple(clutter), noise, int(rng.integers(2**31)))


def _draw_object(draw: ImageDraw.ImageDraw, obj: ShapeObject, k: int):
    """Draw ``obj`` at ``k``x supersampling: its box's pixels [x1, x2] are
    the hi-res span [k*x1, k*(x2+1) - 1], so the shape stays tight."""
    x1, y1, x2, y2 = obj.box
    lo = np.array([k * x1, k * y1], dtype=np.float64)
    hi = np.array([k * (x2 + 1) - 1, k * (y2 + 1) - 1], dtype=np.float64)
    span = [lo[0], lo[1], hi[0], hi[1]]
    name = CLASSES[obj.label]
    short = min(hi - lo)
    if name == 'circle':
        draw.ellipse(span, fill=obj.colour)
    elif name == 'ring':
        draw.ellipse(span, outline=obj.colour,
                     width=max(1, int(round(_RING_WIDTH * short))))
    elif name == 'square':
        draw.rectangle(span, fill=obj.colour)
    elif name == 'rounded_square':
        draw.rounded_rectangle(span, radius=_ROUNDED_CORNER * short,
                               fill=obj.colour)
    else:
        unit = _POLYGONS[name].copy()
        if obj.mirrored and name in ASYMMETRIC_CLASSES:
            unit[:, 0] = 1.0 - unit[:, 0]
        points = lo + unit * (hi - lo)
        draw.polygon([tuple(p) for p in points], fill=obj.colour)


def render_scene(scene: Scene, supersample: int = 2) -> np.ndarray:
    """Draw a scene.

    Args:
        scene (Scene): From :func:`sample_scene`.
        supersample (int): Draw at this factor, then average down (smooth
            edges, so small shapes keep their outline). Defaults to 2.

    Returns:
        np.ndarray: (H, W, 3) uint8 RGB image, H = W = ``scene.image_size``.
    """
    k, s = supersample, scene.image_size
    base, grad_x, grad_y = (np.asarray(v) for v in scene.background)
    coords = (np.arange(k * s) + 0.5) / k
    background = (base + coords[None, :, None] * grad_x +
                  coords[:, None, None] * grad_y)
    canvas = Image.fromarray(
        np.clip(np.round(background), 0, 255).astype(np.uint8), 'RGB')
    draw = ImageDraw.Draw(canvas)
    for kind, params, colour in scene.clutter:
        p = [k * v for v in params]
        if kind == 'line':
            draw.line(p[:4], fill=colour, width=int(params[4]) * k)
        elif kind == 'dot':
            draw.ellipse([p[0] - p[2], p[1] - p[2], p[0] + p[2],
                          p[1] + p[2]], fill=colour)
        else:
            draw.arc(p[:4], params[4], params[5], fill=colour, width=k)
    for obj in scene.objects:  # later objects occlude earlier ones
        _draw_object(draw, obj, k)
    image = np.asarray(canvas.reduce(k), dtype=np.float64)
    if scene.noise_std > 0:
        noise_rng = np.random.default_rng(scene.noise_seed)
        image = image + noise_rng.normal(0, scene.noise_std, image.shape)
    return np.clip(np.round(image), 0, 255).astype(np.uint8)


def sample_annotations(seed: int, num_images: int,
                       cfg: Optional[SceneConfig] = None,
                       start: int = 0) -> List[Scene]:
    """Scenes of images ``start .. start + num_images - 1`` (no drawing):
    exactly those :func:`~.synthetic_voc.generate_voc_dataset` draws."""
    cfg = cfg or SceneConfig()
    return [
        sample_scene(image_rng(seed, i), cfg)
        for i in range(start, start + num_images)
    ]
