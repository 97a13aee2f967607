import { InProcessEventBus } from '../../../server/events/event-bus.js';
import { eventBusContract } from '../../fixtures/event-bus-contract.js';

eventBusContract(
  'in process',
  async () => ({ bus: new InProcessEventBus(), disrupt: async () => {}, close: async () => {} }),
  100,
);
