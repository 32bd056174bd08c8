// The viewer's preview (EXACT_SMALL_BLUR 0): which blurs come from where. Pixels blurred
// by up to u_small_blur are blurred from the mip chain by their own CoC
// (preview_far.glsl), and the gathered far field takes over over the last quarter of
// that range. What the small blurs cannot draw is a foreground's blur spilling over the
// sharper surface behind it, so the gathered near field takes over from half of it. The
// gather and the preview's far-field pass both include this, so they agree.
uniform float u_small_blur;

// How much of a near source of CoC `coc` goes to the coarse near field. Below half of
// u_small_blur a slightly near surface keeps its own, finer edge. Per source, so the
// field's alpha stays smooth: a switch on the tiles' nearest CoC drew their 16 px
// staircase along blurred silhouettes. Done by the time the far field's hand-over
// starts: taking over later (from 2/3 or 3/4) lost up to 1.8 dB against the reference
// where a ball just in front of focus meets a sharp one, and brought the staircase back
// inside it. The price: near edges 8-10 px wide come out up to 55 % wider.
float near_share(float coc) {
    return smoothstep(0.5 * u_small_blur, 0.75 * u_small_blur, -coc);
}

// How much a pixel blurred by `radius` shows the gathered far field rather than its own
// small blur.
float wide_share(float radius) {
    return smoothstep(0.75 * u_small_blur, u_small_blur, radius);
}
