// How much a pixel of signed CoC `coc` shows the background its blurred foreground hides
// (the second layer), rather than what the pinhole image holds there: none up to twice
// the near-field threshold, all from three times it. Not for surfaces just past the
// threshold: where one straddles it, its near part shows its far part through a partial
// alpha, and the far field (the same surface, nearby) is right there, while the second
// layer would show what lies behind the whole surface. The layers pass builds the hidden
// background with it and the composite shows it with it, so the two agree.
float hidden_share(float coc, float near_epsilon) {
    return smoothstep(2.0 * near_epsilon, 3.0 * near_epsilon, -coc);
}
