/** Restore's report sections (being built). */
export {};
