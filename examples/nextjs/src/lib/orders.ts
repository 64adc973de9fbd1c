// The app's data layer, reduced to one rule: order ids look like `o-123`, anything else makes it throw.
export interface Order {
  id: string
  status: string
}

export async function findOrder(id: string): Promise<Order> {
  if (!/^o-\d+$/.test(id)) throw new Error(`order store rejected id ${JSON.stringify(id)}`)
  return { id, status: 'shipped' }
}
