export const DEFAULT_TASK_QUEUE = 'invoice-settlement';
