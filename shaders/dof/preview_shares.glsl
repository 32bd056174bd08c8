// The viewer's preview (EXACT_SMALL_BLUR 0): which blurs come from where. Pixels blurred
// by up to u_small_blur are blurred from the mip chain by their own CoC
// (preview_far.glsl), and the gathered far field takes over over the last quarter of
// that range. What the small blurs cannot draw is a foreground's blur spilling over the
// sharper surface behind it, so the gathered near field takes over from half of it. The
// gather and the preview's far-field pass both include this, so they agree.
// px, > 0: GatherQuality.small_blur_px (dofviewer/render/gl/dof.py).
uniform float u_small_blur;

// How much of a near source of CoC `coc` goes to the coarse near field: none up to half
// of u_small_blur, all from three quarters of it, so the hand-over is done by the time
// the far field's (wide_share) starts. Below half a slightly near surface keeps its own,
// finer edge. Per source, so the field's alpha stays smooth: a switch on the tiles'
// nearest CoC drew their staircase along blurred silhouettes. Taking over later lost
// quality against the reference where a ball just in front of focus meets a sharp one.
// The price: narrow near edges come out wider than the lens makes them (docs/shaders.md
// has the figures).
float near_share(float coc) {
    return smoothstep(0.5 * u_small_blur, 0.75 * u_small_blur, -coc);
}

// How much a pixel blurred by `radius` shows the gathered far field rather than its own
// small blur: none up to three quarters of u_small_blur, all from u_small_blur on.
float wide_share(float radius) {
    return smoothstep(0.75 * u_small_blur, u_small_blur, radius);
}
