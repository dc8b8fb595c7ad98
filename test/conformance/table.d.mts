export function table(): string;
